const activityService = require('../../../../../services/activity');
const { presentActivity } = require('../../../../../utils/activity');
const pagedList = require('../../../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'published', label: '已发布' },
  { key: 'draft', label: '草稿' },
  { key: 'completed', label: '已结束' },
  { key: 'cancelled', label: '已取消' },
];

Component({
  behaviors: [pagedList],

  data: { tabs: TABS, status: 'published', pageSize: PAGE_SIZE },

  methods: {
    onLoad(options) {
      const known = TABS.some((t) => t.key === (options && options.status));
      this.setData({ status: known ? options.status : 'published' });
      this.loadPage(1);
    },

    onShow() {
      if (this._loadedOnce) this.loadPage(1);
    },

    onTabTap(e) {
      const { status } = e.currentTarget.dataset;
      if (status === this.data.status) return;
      this.reload({ status });
    },

    // request.js shows the reason of a failure (403 for non-organisers).
    fetchPage(page, pageSize) {
      return activityService.list({
        manage: true, status: this.data.status, when: 'all', page, page_size: pageSize,
      });
    },

    presentItem: presentActivity,

    pagedKey() {
      return this.data.status;
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

    // On site, the organiser checks volunteers in and out by scanning their e-cards.
    onCardScanTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/card-scan/index?id=${e.currentTarget.dataset.id}` });
    },

    onQrTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/qrcode/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
