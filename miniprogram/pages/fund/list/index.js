const fundService = require('../../../services/fund');
const { formatYuan } = require('../../../utils/money');

const PAGE_SIZE = 20;

function present(f) {
  const progress = f.progress_percent === null || f.progress_percent === undefined ? null : f.progress_percent;
  return Object.assign({}, f, {
    balanceText: formatYuan(f.balance_fen),
    raisedText: formatYuan(f.raised_fen),
    expenseText: formatYuan(f.expense_fen),
    targetText: f.target_fen ? formatYuan(f.target_fen) : '',
    progress,
    progressWidth: progress === null ? 0 : Math.min(100, progress),
  });
}

Component({
  data: {
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

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true });
      try {
        const res = await fundService.list({ page, page_size: PAGE_SIZE });
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const total = res.total || 0;
        this.setData({ items, page, total, finished: items.length >= total || fresh.length < PAGE_SIZE });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this.setData({ loading: false });
      }
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/fund/detail/index?id=${id}` });
    },
  },
});
