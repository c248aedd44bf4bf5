const activityService = require('../../../services/activity');
const { ACTIVITY_CATEGORIES, ACTIVITY_CATEGORY_LABELS } = require('../../../utils/constants');
const { presentActivity } = require('../../../utils/activity');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 10;
const NEAR_RADIUS_KM = 10;

// "全部", "附近", then one tab per category.
const TABS = [{ key: 'all', label: '全部' }, { key: 'near', label: '附近' }].concat(
  ACTIVITY_CATEGORIES.map((key) => ({ key, label: ACTIVITY_CATEGORY_LABELS[key] })),
);

function getLocation() {
  return new Promise((resolve, reject) => {
    wx.getLocation({
      type: 'gcj02',
      success: (res) => resolve({ latitude: res.latitude, longitude: res.longitude }),
      fail: reject,
    });
  });
}

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'all',
    openOnly: false,
    error: '',
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    async onTabTap(e) {
      const { key } = e.currentTarget.dataset;
      if (key === this.data.tab) return;
      if (key === 'near' && !this._point) {
        try {
          this._point = await getLocation();
        } catch (err) {
          wx.showToast({ title: '需要位置权限才能查看附近活动', icon: 'none' });
          return;
        }
      }
      this.reload({ tab: key, total: 0 });
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
      this.setData({ error: (e && e.message) || '加载失败' });
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
