// My service requests: status, overdue and tier at a glance; tap for the timeline.
const auth = require('../../../utils/auth');
const requestService = require('../../../services/service_request');
const { present } = require('../../../utils/service_request');

const PAGE_SIZE = 10;

Component({
  data: { items: [], page: 0, total: 0, loading: false, finished: false, failed: false },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onShow() {
      if (this._loadedOnce) this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true, failed: false });
      try {
        await auth.ensureLogin();
        const res = await requestService.list({ scope: 'mine', page, page_size: PAGE_SIZE });
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const total = res.total || 0;
        this.setData({ items, page, total, finished: items.length >= total || fresh.length < PAGE_SIZE });
      } catch (e) {
        this.setData({ failed: true });
      } finally {
        this._loadedOnce = true;
        this.setData({ loading: false });
      }
    },

    onRetry() {
      this.loadPage(1);
    },

    onItemTap(e) {
      wx.navigateTo({ url: `/pages/service/detail/index?id=${e.currentTarget.dataset.id}` });
    },

    onNewTap() {
      wx.navigateTo({ url: '/pages/service/submit/index' });
    },
  },
});
