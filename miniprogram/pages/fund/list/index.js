const fundService = require('../../../services/fund');
const { formatYuan } = require('../../../utils/money');
const pagedList = require('../../../behaviors/paged-list');

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
  behaviors: [pagedList],

  data: { pageSize: PAGE_SIZE },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    fetchPage(page, pageSize) {
      return fundService.list({ page, page_size: pageSize });
    },

    presentItem: present,

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/fund/detail/index?id=${id}` });
    },
  },
});
