const recognition = require('../../../services/recognition');
const { AWARD_TIER_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');

const PAGE_SIZE = 20;
const TIERS = [{ key: '', label: '全部' }].concat(
  Object.keys(AWARD_TIER_LABELS).map((key) => ({ key, label: AWARD_TIER_LABELS[key] })),
);

function present(a) {
  return Object.assign({}, a, {
    dateText: formatDateTime(a.awarded_at).slice(0, 10),
    tierText: a.tier_name || AWARD_TIER_LABELS[a.tier] || '',
  });
}

Component({
  data: {
    tiers: TIERS,
    tier: '',
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
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

    onTierTap(e) {
      const { tier } = e.currentTarget.dataset;
      if (tier === this.data.tier) return;
      this.setData({ tier, items: [], page: 0, finished: false });
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const tier = this.data.tier;
      this.setData({ loading: true });
      try {
        const res = await recognition.honours({ tier, page, page_size: PAGE_SIZE }, { auth: false });
        if (tier !== this.data.tier) return;
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        this.setData({
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

    onCertificateTap(e) {
      const { number } = e.currentTarget.dataset;
      if (!number) return;
      wx.navigateTo({ url: `/pages/recognition/certificates/index?number=${number}` });
    },
  },
});
