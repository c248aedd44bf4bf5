const recognition = require('../../../../../services/recognition');
const { NOMINATION_STATUS } = require('../../../../../utils/constants');
const { formatDateTime } = require('../../../../../utils/format');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'queue', label: '待我审批' },
  { key: 'pending', label: '待审批' },
  { key: 'approved', label: '已通过' },
  { key: 'rejected', label: '未通过' },
];

function queryFor(tab) {
  return tab === 'queue' ? { actionable: true } : { status: tab };
}

function present(n) {
  return Object.assign({}, n, {
    statusText: n.status_name || NOMINATION_STATUS[n.status] || n.status,
    timeText: formatDateTime(n.created_at),
  });
}

function askReason(title, placeholder) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder,
      success: (res) => resolve(res.confirm ? String(res.content || '').trim() : null),
      fail: () => resolve(null),
    });
  });
}

Component({
  data: {
    tabs: TABS,
    tab: 'queue',
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
  },

  methods: {
    onLoad(options) {
      const tab = options && TABS.some((t) => t.key === options.tab) ? options.tab : 'queue';
      this.setData({ tab });
      this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    onTabTap(e) {
      const { tab } = e.currentTarget.dataset;
      if (tab === this.data.tab) return;
      this.setData({ tab, items: [], page: 0, finished: false });
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const tab = this.data.tab;
      this.setData({ loading: true });
      try {
        const res = await recognition.nominations(Object.assign({ page, page_size: PAGE_SIZE }, queryFor(tab)));
        if (tab !== this.data.tab) return;
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

    replace(index, nomination) {
      if (this.data.tab === 'queue' || this.data.tab === 'pending') {
        const items = this.data.items.slice();
        items.splice(index, 1);
        this.setData({ items, total: Math.max(0, this.data.total - 1) });
      } else {
        this.setData({ [`items[${index}]`]: present(nomination) });
      }
    },

    async onApproveTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      const comment = await askReason(`通过「${item.award_name}」`, '审批意见(选填)');
      if (comment === null) return;
      // One key per decision: a retried tap never creates a second award.
      this._keys = this._keys || {};
      this._keys[item.id] = this._keys[item.id] || recognition.newIdempotencyKey(`approve-${item.id}`);
      try {
        const updated = await recognition.approveNomination(item.id, comment, this._keys[item.id]);
        wx.showToast({ title: '已通过,证书已签发', icon: 'success' });
        this.replace(index, updated);
      } catch (err) {
        // request.js showed the reason (wrong tier, self approval, already decided…).
      }
    },

    async onRejectTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      const reason = await askReason(`不通过「${item.award_name}」`, '请填写原因');
      if (reason === null) return;
      if (!reason) {
        wx.showToast({ title: '请填写不通过的原因', icon: 'none' });
        return;
      }
      try {
        const updated = await recognition.rejectNomination(item.id, reason);
        wx.showToast({ title: '已处理', icon: 'success' });
        this.replace(index, updated);
      } catch (err) {
        // request.js showed the reason.
      }
    },

    onCreateTap() {
      wx.navigateTo({ url: '/subpackages/admin/pages/nominations/create/index' });
    },
  },
});
