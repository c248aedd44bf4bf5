const auth = require('../../../utils/auth');
const recognition = require('../../../services/recognition');
const activityService = require('../../../services/activity');
const { POINT_SOURCE_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');
const pagedList = require('../../../behaviors/paged-list');

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
  behaviors: [pagedList],

  data: {
    balance: 0,
    earned: 0,
    totals: [],
    pageSize: PAGE_SIZE,
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

    async fetchPage(page, pageSize) {
      await auth.ensureLogin();
      return recognition.myPoints({ page, page_size: pageSize });
    },

    presentItem: present,

    // The ledger body also carries the balance and the period totals.
    pagedLoaded(res) {
      return {
        balance: res.balance || 0,
        earned: res.earned || 0,
        totals: TOTAL_LABELS.map(([key, label]) => ({
          key,
          label,
          value: (res.totals && res.totals[key]) || 0,
        })),
      };
    },

    onLeaderboardTap() {
      wx.navigateTo({ url: '/pages/recognition/leaderboard/index' });
    },
  },
});
