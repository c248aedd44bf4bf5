const volunteerService = require('../../../../../services/volunteer');
const { VOLUNTEER_STATUS, VOLUNTEER_STATUS_TABS } = require('../../../../../utils/constants');
const { maskPhone, formatDateTime } = require('../../../../../utils/format');

const PAGE_SIZE = 20;

const TABS = VOLUNTEER_STATUS_TABS.map((key) => ({ key, label: VOLUNTEER_STATUS[key] }));

function present(v) {
  return Object.assign({}, v, {
    statusText: VOLUNTEER_STATUS[v.status] || v.status,
    phoneText: maskPhone(v.phone),
    villageText: v.village_name || v.region_name || '',
    skillsText: (v.skills || []).join('、'),
    appliedText: formatDateTime(v.created_at || v.applied_at),
  });
}

Component({
  data: {
    tabs: TABS,
    status: 'pending',
    q: '',
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
  },

  methods: {
    onLoad(options) {
      const status = options && VOLUNTEER_STATUS[options.status] ? options.status : 'pending';
      this.setData({ status });
      this.loadPage(1);
    },

    onShow() {
      // Back from the detail page: a decision moves the volunteer to another tab.
      if (this._loadedOnce) this.loadPage(1);
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
      this.setData({ status, items: [], page: 0, total: 0, finished: false });
      this.loadPage(1);
    },

    onSearchInput(e) {
      this.setData({ q: e.detail.value });
    },

    onSearchConfirm() {
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true });
      const status = this.data.status;
      try {
        const res = await volunteerService.list({
          status,
          q: this.data.q.trim(),
          page,
          page_size: PAGE_SIZE,
        });
        // Ignore an answer for a tab the user has already left.
        if (status !== this.data.status) return;
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const total = res.total || 0;
        this.setData({
          items,
          page,
          total,
          finished: items.length >= total || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this._loadedOnce = true;
        this.setData({ loading: false });
      }
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/subpackages/admin/pages/volunteers/detail/index?id=${id}` });
    },
  },
});
