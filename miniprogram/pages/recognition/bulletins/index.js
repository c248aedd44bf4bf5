const recognition = require('../../../services/recognition');
const { BULLETIN_KIND_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');

const PAGE_SIZE = 20;
const KINDS = [{ key: '', label: '全部' }].concat(
  Object.keys(BULLETIN_KIND_LABELS).map((key) => ({ key, label: BULLETIN_KIND_LABELS[key] })),
);

function present(b) {
  return Object.assign({}, b, {
    kindText: b.kind_name || BULLETIN_KIND_LABELS[b.kind] || '',
    timeText: formatDateTime(b.published_at),
  });
}

Component({
  data: {
    kinds: KINDS,
    kind: '',
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
  },

  methods: {
    onLoad(options) {
      const kind = options && BULLETIN_KIND_LABELS[options.kind] ? options.kind : '';
      this.setData({ kind });
      this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    onKindTap(e) {
      const { kind } = e.currentTarget.dataset;
      if (kind === this.data.kind) return;
      this.setData({ kind, items: [], page: 0, finished: false });
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const kind = this.data.kind;
      this.setData({ loading: true });
      try {
        const res = await recognition.bulletins({ kind, page, page_size: PAGE_SIZE }, { auth: false });
        if (kind !== this.data.kind) return;
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        this.setData({
          items,
          page,
          total: res.total || 0,
          finished: items.length >= (res.total || 0) || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this.setData({ loading: false });
      }
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/recognition/bulletin/index?id=${id}` });
    },
  },
});
