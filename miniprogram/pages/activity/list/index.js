const activityService = require('../../../services/activity');
const { ACTIVITY_CATEGORIES, ACTIVITY_CATEGORY_LABELS } = require('../../../utils/constants');
const { presentActivity } = require('../../../utils/activity');

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
  data: {
    tabs: TABS,
    tab: 'all',
    openOnly: false,
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    error: '',
  },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
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
      this.setData({ tab: key, items: [], page: 0, total: 0, finished: false });
      this.loadPage(1);
    },

    onOpenToggle() {
      this.setData({ openOnly: !this.data.openOnly, items: [], page: 0, finished: false });
      this.loadPage(1);
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

    async loadPage(page) {
      if (this.data.loading) return;
      const tab = this.data.tab;
      this.setData({ loading: true, error: '' });
      try {
        const res = await activityService.list(this.query(page));
        if (tab !== this.data.tab) return; // the user has moved to another tab
        const fresh = (res.items || []).map(presentActivity);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const total = res.total || 0;
        this.setData({
          items,
          page,
          total,
          finished: items.length >= total || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        this.setData({ error: (e && e.message) || '加载失败' });
      } finally {
        this.setData({ loading: false });
      }
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
