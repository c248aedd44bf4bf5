const share = require('../../../utils/share');
const recognition = require('../../../services/recognition');
const { AWARD_TIER_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');
const pagedList = require('../../../behaviors/paged-list');

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
  behaviors: [pagedList],

  data: {
    tiers: TIERS,
    tier: '',
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad() {
      share.enable();
      this.loadPage(1);
    },

    // The honour roll shared to a chat or Moments opens here for anyone (public list).
    onShareAppMessage() {
      return share.toChat('平安大联盟光荣榜', '/pages/recognition/honours/index', {});
    },

    onShareTimeline() {
      return share.toTimeline('平安大联盟光荣榜：向平安志愿者致敬', {});
    },

    onTierChange(e) {
      return this.onTierTap({ currentTarget: { dataset: { tier: e.detail.value === 'all' ? '' : e.detail.value } } });
    },

    onTierTap(e) {
      const { tier } = e.currentTarget.dataset;
      if (tier === this.data.tier) return;
      this.reload({ tier });
    },

    fetchPage(page, pageSize) {
      return recognition.honours({ tier: this.data.tier, page, page_size: pageSize }, { auth: false });
    },

    presentItem: present,

    pagedKey() {
      return this.data.tier;
    },

    onCertificateTap(e) {
      const { number } = e.currentTarget.dataset;
      if (!number) return;
      wx.navigateTo({ url: `/pages/recognition/certificate/index?number=${encodeURIComponent(number)}` });
    },
  },
});
