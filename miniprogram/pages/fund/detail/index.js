const fundService = require('../../../services/fund');
const { formatYuan, formatSigned } = require('../../../utils/money');
const { formatDateTime } = require('../../../utils/format');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const ADMIN = '/subpackages/admin/pages/funds';

function presentFund(f) {
  const progress = f.progress_percent === null || f.progress_percent === undefined ? null : f.progress_percent;
  return Object.assign({}, f, {
    balanceText: formatYuan(f.balance_fen),
    incomeText: formatYuan(f.income_fen),
    inKindText: formatYuan(f.in_kind_fen),
    expenseText: formatYuan(f.expense_fen),
    raisedText: formatYuan(f.raised_fen),
    targetText: f.target_fen ? formatYuan(f.target_fen) : '',
    progress,
    progressWidth: progress === null ? 0 : Math.min(100, progress),
  });
}

// One ledger line as shown to the public: who (masked by the API), what, how much.
function presentEntry(e) {
  let title;
  if (e.kind === 'donation') title = `${e.donor_name || '匿名'} ${e.in_kind ? '捐赠物资' : '捐赠'}`;
  else if (e.kind === 'expense') title = `${e.category_name || '支出'} · ${e.purpose || ''}`;
  else title = `冲正 #${e.reverses_id}`;
  let detail = '';
  if (e.kind === 'donation') detail = e.in_kind ? e.item_description || '' : e.channel_name || '';
  else if (e.kind === 'expense') detail = e.payee ? `收款方：${e.payee}` : '';
  else detail = e.note || '';
  return Object.assign({}, e, {
    title,
    detail,
    amountText: e.in_kind ? `物资估值 ${formatYuan(e.amount_fen)}` : formatSigned(e.signed_amount_fen),
    positive: e.signed_amount_fen > 0,
    timeText: formatDateTime(e.booked_at),
    reversedText: e.reversed_by_id ? '已冲正' : '',
  });
}

function presentStatement(s) {
  return Object.assign({}, s, {
    openingText: formatYuan(s.opening_balance_fen),
    incomeText: formatYuan(s.income_fen),
    inKindText: formatYuan(s.in_kind_fen),
    expenseText: formatYuan(s.expense_fen),
    closingText: formatYuan(s.closing_balance_fen),
    categories: (s.expense_by_category || []).map((c) => Object.assign({}, c, { amountText: formatYuan(c.amount_fen) })),
    lines: (s.entries || []).map(presentEntry),
  });
}

Component({
  // The ledger tab pages its entries under `entries`.
  behaviors: [pagedList],

  data: {
    id: null,
    fund: null,
    tab: 'ledger',
    entries: [],
    itemsKey: 'entries',
    pageSize: PAGE_SIZE,
    statement: null,
    months: [],
    monthIndex: 0,
    notFound: false,
  },

  methods: {
    onLoad(options) {
      this.setData({ id: options && options.id });
      this.refresh();
    },

    onShow() {
      // Back from recording a donation or paying an expense: totals changed.
      if (this._loadedOnce) this.refresh();
    },

    // Overrides the behavior: refresh the fund as well as its ledger.
    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    // Overrides the behavior: only the ledger tab pages.
    onReachBottom() {
      if (this.data.tab !== 'ledger' || this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    async refresh() {
      try {
        const fund = await fundService.get(this.data.id);
        this.setData({ fund: presentFund(fund), notFound: false });
        wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: fund.name });
      } catch (e) {
        if (e && e.statusCode === 404) this.setData({ notFound: true });
        return;
      } finally {
        this._loadedOnce = true;
      }
      await this.loadPage(1);
      if (this.data.tab === 'statement') await this.loadStatement(this.currentMonth());
    },

    fetchPage(page, pageSize) {
      return fundService.entries(this.data.id, { page, page_size: pageSize });
    },

    presentItem: presentEntry,

    currentMonth() {
      return this.data.months[this.data.monthIndex] || '';
    },

    async loadStatement(month) {
      try {
        const s = await fundService.statement(this.data.id, month || undefined);
        const months = s.months && s.months.length ? s.months : [s.month];
        this.setData({
          statement: presentStatement(s),
          months,
          monthIndex: Math.max(0, months.indexOf(s.month)),
        });
      } catch (e) {
        // request.js showed the reason.
      }
    },

    onTabTap(e) {
      const { tab } = e.currentTarget.dataset;
      if (tab === this.data.tab) return;
      this.setData({ tab });
      if (tab === 'statement' && !this.data.statement) this.loadStatement();
    },

    onMonthChange(e) {
      const monthIndex = Number(e.detail.value);
      this.setData({ monthIndex });
      this.loadStatement(this.data.months[monthIndex]);
    },

    onAdminTap(e) {
      const { page } = e.currentTarget.dataset;
      const query = page === 'approvals' ? `fund_id=${this.data.id}` : `fund_id=${this.data.id}&name=${encodeURIComponent(this.data.fund.name)}`;
      wx.navigateTo({ url: `${ADMIN}/${page}/index?${query}` });
    },
  },
});
