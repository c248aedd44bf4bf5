// <sa-state>: the loading, empty, error and end-of-list states of a page or a list, drawn the
// same way everywhere (TDesign skeleton / empty / loading / divider).
//
//   <sa-state loading="{{loading}}" error="{{error}}" empty="{{!loading && !items.length}}"
//             finished="{{finished && items.length > 0}}" empty-text="还没有报名活动"
//             empty-icon="calendar" skeleton="{{!items.length}}" bind:retry="onRetry">
//     <t-button slot="action" …>去看看活动</t-button>     (optional, under the empty text)
//   </sa-state>
//
// `error` is the message to show (a string; '' or false = no error); a retry button is shown
// when the page listens to `retry`. While `loading`, a skeleton is shown when `skeleton` is set
// (nothing is on the page yet), otherwise a small spinner (next page of a list).
Component({
  options: { multipleSlots: true },
  properties: {
    loading: { type: Boolean, value: false },
    skeleton: { type: Boolean, value: false },
    error: { type: String, value: '' },
    empty: { type: Boolean, value: false },
    emptyText: { type: String, value: '暂无内容' },
    emptyIcon: { type: String, value: 'info-circle' },
    finished: { type: Boolean, value: false },
    finishedText: { type: String, value: '没有更多了' },
    retryText: { type: String, value: '重新加载' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry');
    },
  },
});
