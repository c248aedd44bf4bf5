const activityService = require('../../../../../services/activity');
const { presentActivity } = require('../../../../../utils/activity');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'published', label: '已发布' },
  { key: 'draft', label: '草稿' },
  { key: 'completed', label: '已结束' },
  { key: 'cancelled', label: '已取消' },
];

Component({
  data: { tabs: TABS, status: 'published', items: [], page: 0, total: 0, loading: false, finished: false },

  methods: {
    onLoad(options) {
      const known = TABS.some((t) => t.key === (options && options.status));
      this.setData({ status: known ? options.status : 'published' });
      this.loadPage(1);
    },

    onShow() {
      if (this._loaded) this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    onTabTap(e) {
      const { status } = e.currentTarget.dataset;
      if (status === this.data.status) return;
      this.setData({ status, items: [], page: 0, finished: false });
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const status = this.data.status;
      this.setData({ loading: true });
      try {
        const res = await activityService.list({
          manage: true, status, when: 'all', page, page_size: PAGE_SIZE,
        });
        if (status !== this.data.status) return;
        const fresh = (res.items || []).map(presentActivity);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        this.setData({
          items,
          page,
          total: res.total || 0,
          finished: items.length >= (res.total || 0) || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        // request.js showed the reason (403 for non-organisers).
      } finally {
        this._loaded = true;
        this.setData({ loading: false });
      }
    },

    onCreateTap() {
      wx.navigateTo({ url: '/subpackages/admin/pages/activities/edit/index' });
    },

    onItemTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/edit/index?id=${e.currentTarget.dataset.id}` });
    },

    onRosterTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/roster/index?id=${e.currentTarget.dataset.id}` });
    },

    onQrTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/qrcode/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
