const volunteerService = require('../../../../../services/volunteer');
const { VOLUNTEER_STATUS, VOLUNTEER_STATUS_TABS } = require('../../../../../utils/constants');
const { maskPhone, formatDateTime } = require('../../../../../utils/format');
const pagedList = require('../../../../../behaviors/paged-list');

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
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    status: 'pending',
    q: '',
    pageSize: PAGE_SIZE,
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

    onTabTap(e) {
      const { status } = e.currentTarget.dataset;
      if (status === this.data.status) return;
      this.reload({ status, total: 0 });
    },

    onSearchInput(e) {
      this.setData({ q: e.detail.value });
    },

    onSearchConfirm() {
      this.loadPage(1);
    },

    fetchPage(page, pageSize) {
      return volunteerService.list({
        status: this.data.status,
        q: this.data.q.trim(),
        page,
        page_size: pageSize,
      });
    },

    presentItem: present,

    // Ignore an answer for a tab the user has already left.
    pagedKey() {
      return this.data.status;
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/subpackages/admin/pages/volunteers/detail/index?id=${id}` });
    },
  },
});
