const activityService = require('../../../services/activity');
const { ACTIVITY_CATEGORY_LABELS, ACTIVITY_STATUS_LABELS } = require('../../../utils/constants');
const { formatTimeRange } = require('../../../utils/format');

const PAGE_SIZE = 10;

function present(activity) {
  const capacity = activity.capacity || 0;
  const enrolled = activity.enrolled_count || 0;
  return Object.assign({}, activity, {
    categoryText: ACTIVITY_CATEGORY_LABELS[activity.category] || activity.category || '',
    statusText: ACTIVITY_STATUS_LABELS[activity.status] || '',
    timeText: formatTimeRange(activity.start_at, activity.end_at),
    quotaText: capacity ? `${enrolled}/${capacity} 人` : `已报名 ${enrolled} 人`,
    isFull: capacity > 0 && enrolled >= capacity,
  });
}

Component({
  data: {
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

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true, error: '' });
      try {
        const res = await activityService.list({ page, page_size: PAGE_SIZE });
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
        this.setData({ error: (e && e.message) || '加载失败' });
      } finally {
        this.setData({ loading: false });
      }
    },

    onRetry() {
      this.loadPage(this.data.page ? this.data.page + 1 : 1);
    },
  },
});
