// Handler queue: requests of my area (or assigned to me), by state, tier and overdue.
const requestService = require('../../../../../services/service_request');
const { present } = require('../../../../../utils/service_request');
const { SERVICE_STATUS, SERVICE_TIERS } = require('../../../../../utils/constants');
const pagedList = require('../../../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'todo', label: '待处理', query: { status: 'submitted', order: 'due' } },
  { key: 'mine', label: '我的', query: { scope: 'assigned' } },
  { key: 'overdue', label: '已超时', query: { overdue: true, order: 'due' } },
  { key: 'held', label: '待审核', query: { held: true } },
  { key: 'all', label: '全部', query: {} },
];
const STATUS_OPTIONS = [{ key: '', label: '全部状态' }].concat(
  Object.keys(SERVICE_STATUS).map((key) => ({ key, label: SERVICE_STATUS[key] })),
);
const TIER_OPTIONS = [{ key: '', label: '全部层级' }].concat(
  Object.keys(SERVICE_TIERS).map((key) => ({ key, label: SERVICE_TIERS[key] })),
);

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'todo',
    statusOptions: STATUS_OPTIONS,
    statusIndex: 0,
    tierOptions: TIER_OPTIONS,
    tierIndex: 0,
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad(options) {
      const tab = options && TABS.some((t) => t.key === options.tab) ? options.tab : 'todo';
      this.setData({ tab });
      this.loadPage(1);
    },

    onShow() {
      if (this._loadedOnce) this.loadPage(1);
    },

    onTabChange(e) {
      return this.onTabTap({ currentTarget: { dataset: { tab: e.detail.value } } });
    },

    onTabTap(e) {
      const { tab } = e.currentTarget.dataset;
      if (tab === this.data.tab) return;
      this.reload({ tab, total: 0 });
    },

    onStatusChange(e) {
      this.setData({ statusIndex: Number(e.detail.value) });
      this.loadPage(1);
    },

    onTierChange(e) {
      this.setData({ tierIndex: Number(e.detail.value) });
      this.loadPage(1);
    },

    query(page) {
      const tab = TABS.find((t) => t.key === this.data.tab);
      const query = Object.assign({ page, page_size: PAGE_SIZE }, tab.query);
      const status = STATUS_OPTIONS[this.data.statusIndex].key;
      const tier = TIER_OPTIONS[this.data.tierIndex].key;
      if (status) query.status = status;
      if (tier) query.tier = tier;
      return query;
    },

    fetchPage(page) {
      return requestService.list(this.query(page));
    },

    presentItem: present,

    pagedKey() {
      return this.data.tab;
    },

    onItemTap(e) {
      wx.navigateTo({ url: `/subpackages/admin/pages/requests/detail/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
