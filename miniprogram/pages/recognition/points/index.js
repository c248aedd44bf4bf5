const auth = require('../../../utils/auth');
const recognition = require('../../../services/recognition');
const activityService = require('../../../services/activity');
const { POINT_SOURCE_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');

const PAGE_SIZE = 20;
const TOTAL_LABELS = [
  ['day', '今日'],
  ['week', '本周'],
  ['month', '本月'],
  ['quarter', '本季'],
  ['year', '本年'],
  ['all', '累计'],
];

function present(entry) {
  return Object.assign({}, entry, {
    amountText: entry.amount > 0 ? `+${entry.amount}` : String(entry.amount),
    positive: entry.amount > 0,
    sourceText: entry.source_name || POINT_SOURCE_LABELS[entry.source_type] || entry.source_type,
    timeText: formatDateTime(entry.created_at),
  });
}

Component({
  data: {
    balance: 0,
    earned: 0,
    totals: [],
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    level: null,
  },

  methods: {
    onLoad() {
      this.loadPage(1);
      this.loadLevel();
    },

    // Star level by service hours; duty hours are shown apart and never count toward it.
    async loadLevel() {
      try {
        await auth.ensureLogin();
        const res = await activityService.myHours({ page: 1, page_size: 1 }, { silent: true });
        const stars = res.star_level ? '★'.repeat(res.star_level) : '☆';
        this.setData({
          level: {
            stars,
            name: res.star_name || '',
            serviceHours: res.service_hours || 0,
            dutyHours: res.duty_hours || 0,
            next: res.hours_to_next_level,
          },
        });
      } catch (e) {
        this.setData({ level: null });
      }
    },

    onLevelTap() {
      wx.navigateTo({ url: '/pages/activity/hours/index' });
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
      this.setData({ loading: true });
      try {
        await auth.ensureLogin();
        const res = await recognition.myPoints({ page, page_size: PAGE_SIZE });
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const totals = TOTAL_LABELS.map(([key, label]) => ({
          key,
          label,
          value: (res.totals && res.totals[key]) || 0,
        }));
        this.setData({
          balance: res.balance || 0,
          earned: res.earned || 0,
          totals,
          items,
          page,
          total: res.total || 0,
          finished: items.length >= (res.total || 0) || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this.setData({ loading: false });
      }
    },

    onLeaderboardTap() {
      wx.navigateTo({ url: '/pages/recognition/leaderboard/index' });
    },
  },
});
