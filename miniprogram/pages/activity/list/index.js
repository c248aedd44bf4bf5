const activityService = require('../../../services/activity');
const { ACTIVITY_CATEGORIES, ACTIVITY_CATEGORY_LABELS } = require('../../../utils/constants');
const { presentActivity } = require('../../../utils/activity');
const pagedList = require('../../../behaviors/paged-list');
const { locate } = require('../../../utils/location');

const PAGE_SIZE = 10;
const NEAR_RADIUS_KM = 10;

// "全部", "附近", then one tab per category.
const TABS = [{ key: 'all', label: '全部' }, { key: 'near', label: '附近' }].concat(
  ACTIVITY_CATEGORIES.map((key) => ({ key, label: ACTIVITY_CATEGORY_LABELS[key] })),
);

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'all',
    openOnly: false,
    error: '',
    locationError: null,
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onTabChange(e) {
      return this.selectTab(e.detail.value);
    },

    // "附近" needs a coarse position (utils/location.js); refused, the tab stays where it was
    // and the page says how to allow it again.
    async selectTab(key) {
      if (key === this.data.tab) return;
      if (key === 'near' && !this._point) {
        try {
          const p = await locate({ precise: false });
          this._point = { latitude: p.latitude, longitude: p.longitude };
        } catch (err) {
          this.setData({ locationError: err, tab: this.data.tab });
          return;
        }
      }
      this.setData({ locationError: null });
      await this.reload({ tab: key, total: 0 });
    },

    onRetryLocation() {
      this.selectTab('near');
    },

    onOpenToggle() {
      this.reload({ openOnly: !this.data.openOnly });
    },

    query(page) {
      const q = { page, page_size: PAGE_SIZE };
      const { tab } = this.data;
      if (tab === 'near' && this._point) {
        Object.assign(q, this._point, { radius_km: NEAR_RADIUS_KM, sort: 'distance' });
      } else if (tab !== 'all') {
        q.category = tab;
      }
      if (this.data.openOnly) q.open = true;
      return q;
    },

    fetchPage(page) {
      this.setData({ error: '' });
      return activityService.list(this.query(page));
    },

    presentItem: presentActivity,

    pagedKey() {
      return this.data.tab;
    },

    pagedFailed(e) {
      this.setData({ error: (e && e.message) || '加载失败，请稍后重试' });
    },

    onRetry() {
      this.loadPage(this.data.page ? this.data.page + 1 : 1);
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/activity/detail/index?id=${id}` });
    },

    onMineTap() {
      wx.navigateTo({ url: '/pages/activity/mine/index' });
    },
  },
});
