const fundService = require('../../../../../services/fund');
const { formatYuan } = require('../../../../../utils/money');
const { formatDateTime } = require('../../../../../utils/format');
const { EXPENSE_STATUS, EXPENSE_ACTIONS } = require('../../../../../utils/fund-labels');
const pagedList = require('../../../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'actionable', label: '待我处理' },
  { key: 'pending', label: '待审批' },
  { key: 'approved', label: '待支付' },
  { key: 'paid', label: '已支付' },
  { key: 'mine', label: '我提交的' },
];

function present(x) {
  return Object.assign({}, x, {
    amountText: formatYuan(x.amount_fen),
    statusText: EXPENSE_STATUS[x.status] || x.status,
    submittedText: formatDateTime(x.submitted_at || x.created_at),
    photos: (x.attachments || []).map(fundService.fileUrl),
    buttons: (x.actions || []).map((key) => ({ key, label: EXPENSE_ACTIONS[key] || key })),
  });
}

function query(tab, fundId) {
  const q = {};
  if (tab === 'actionable') q.actionable = true;
  else if (tab === 'mine') q.mine = true;
  else q.status = tab;
  if (fundId) q.fund_id = fundId;
  return q;
}

// showModal with an editable text box; resolves with the text, or null when cancelled.
function ask(title, placeholder) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder,
      success: (res) => resolve(res.confirm ? (res.content || '').trim() : null),
      fail: () => resolve(null),
    });
  });
}

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'actionable',
    fundId: '',
    focusId: null,
    busyId: null,
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad(options) {
      // Opened from a notice (?id=) or from a fund's page (?fund_id=).
      this.setData({ fundId: (options && options.fund_id) || '', focusId: options && options.id ? Number(options.id) : null });
      this.loadPage(1);
    },

    onTabTap(e) {
      const { tab } = e.currentTarget.dataset;
      if (tab === this.data.tab) return;
      this.reload({ tab, total: 0 });
    },

    fetchPage(page, pageSize) {
      return fundService.listExpenses(Object.assign(query(this.data.tab, this.data.fundId), { page, page_size: pageSize }));
    },

    presentItem: present,

    pagedKey() {
      return this.data.tab;
    },

    replace(updated) {
      const stillHere = this.data.tab !== 'actionable' || (updated.actions || []).some((a) => a !== 'cancel');
      const items = this.data.items
        .map((x) => (x.id === updated.id ? present(updated) : x))
        .filter((x) => x.id !== updated.id || stillHere);
      this.setData({ items, total: this.data.total - (stillHere ? 0 : 1) });
    },

    async onAction(e) {
      const { id, action } = e.currentTarget.dataset;
      if (this.data.busyId) return;
      const item = this.data.items.find((x) => x.id === Number(id));
      if (!item) return;
      let call;
      if (action === 'approve') {
        const note = await ask(`批准 ¥${item.amountText}?`, '审批意见（可不填）');
        if (note === null) return;
        call = () => fundService.approveExpense(item.id, note);
      } else if (action === 'reject') {
        const reason = await ask('驳回原因', '请填写驳回原因');
        if (reason === null) return;
        if (reason.length < 2) {
          wx.showToast({ title: '请填写驳回原因', icon: 'none' });
          return;
        }
        call = () => fundService.rejectExpense(item.id, reason);
      } else if (action === 'pay') {
        const reference = await ask(`确认已支付 ¥${item.amountText}?`, '付款凭证号（可不填）');
        if (reference === null) return;
        call = () => fundService.payExpense(item.id, { reference });
      } else if (action === 'cancel') {
        const reason = await ask('撤销这笔支出？', '撤销原因（可不填）');
        if (reason === null) return;
        call = () => fundService.cancelExpense(item.id, reason);
      } else if (action === 'submit') {
        call = () => fundService.submitDraft(item.id);
      } else {
        return;
      }
      this.setData({ busyId: item.id });
      try {
        const updated = await call();
        this.replace(updated);
        wx.showToast({ title: `${EXPENSE_STATUS[updated.status] || '已处理'}`, icon: 'success' });
      } catch (err) {
        // request.js showed the reason (e.g. 基金余额不足, 须由市级管理员审批).
        if (err && err.statusCode === 409) this.loadPage(1);
      } finally {
        this.setData({ busyId: null });
      }
    },

    onPreview(e) {
      const { id, index } = e.currentTarget.dataset;
      const item = this.data.items.find((x) => x.id === Number(id));
      if (item) wx.previewImage({ urls: item.photos, current: item.photos[Number(index)] });
    },
  },
});
