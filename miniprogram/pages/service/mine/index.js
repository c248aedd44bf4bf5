// My service requests: status, overdue and tier at a glance; tap for the timeline.
const auth = require('../../../utils/auth');
const requestService = require('../../../services/service_request');
const { present } = require('../../../utils/service_request');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 10;

Component({
  behaviors: [pagedList],

  data: { failed: false, pageSize: PAGE_SIZE },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onShow() {
      if (this._loadedOnce) this.loadPage(1);
    },

    async fetchPage(page, pageSize) {
      this.setData({ failed: false });
      await auth.ensureLogin();
      return requestService.list({ scope: 'mine', page, page_size: pageSize });
    },

    presentItem: present,

    pagedFailed() {
      this.setData({ failed: true });
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
