const auth = require('../../../utils/auth');
const recognition = require('../../../services/recognition');
const regionService = require('../../../services/region');
const { LEADERBOARD_PERIODS } = require('../../../utils/constants');

const PAGE_SIZE = 50;

// Scopes the user can switch between: their village, its township, the whole city.
async function scopesFor(user) {
  const villageId = (user && ((user.volunteer && user.volunteer.region_id) || user.region_id)) || null;
  const scopes = [];
  if (villageId) {
    try {
      const village = await regionService.getRegion(villageId, { silent: true });
      if (village.level === 'village') {
        scopes.push({ key: 'village', label: village.name, regionId: village.id });
        if (village.parent_id) scopes.push({ key: 'township', label: '本乡镇', regionId: village.parent_id });
      }
    } catch (e) {
      // No village scope: the city board still works.
    }
  }
  scopes.push({ key: 'city', label: '全市', regionId: null });
  return scopes;
}

Component({
  data: {
    periods: LEADERBOARD_PERIODS,
    period: 'month',
    scopes: [{ key: 'city', label: '全市', regionId: null }],
    scope: 'city',
    title: '',
    periodLabel: '',
    items: [],
    me: null,
    total: 0,
    loading: false,
  },

  methods: {
    async onLoad(options) {
      const period = options && LEADERBOARD_PERIODS.some((p) => p.key === options.period)
        ? options.period
        : 'month';
      this.setData({ period });
      let user = null;
      try {
        await auth.ensureLogin({ silent: true });
        user = auth.getUser();
      } catch (e) {
        // Anonymous: public board without "my rank".
      }
      const scopes = await scopesFor(user);
      this.setData({ scopes, scope: scopes[0].key });
      return this.load();
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh());
    },

    onPeriodChange(e) {
      this.onPeriodTap({ currentTarget: { dataset: { period: e.detail.value } } });
    },

    onPeriodTap(e) {
      const { period } = e.currentTarget.dataset;
      if (period === this.data.period) return;
      this.setData({ period });
      this.load();
    },

    onScopeTap(e) {
      const { scope } = e.currentTarget.dataset;
      if (scope === this.data.scope) return;
      this.setData({ scope });
      this.load();
    },

    async load() {
      const { period, scope } = this.data;
      const current = this.data.scopes.find((s) => s.key === scope) || {};
      this.setData({ loading: true });
      try {
        const res = await recognition.leaderboard({
          region_id: current.regionId,
          period,
          page: 1,
          page_size: PAGE_SIZE,
        });
        if (period !== this.data.period || scope !== this.data.scope) return;
        this.setData({
          title: (res.region && res.region.name) || '',
          periodLabel: res.period_label || '',
          items: (res.items || []).map((row) => Object.assign({}, row, {
            medal: row.rank <= 3 ? `medal-${row.rank}` : '',
          })),
          me: res.me || null,
          total: res.total || 0,
        });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this.setData({ loading: false });
      }
    },
  },
});
