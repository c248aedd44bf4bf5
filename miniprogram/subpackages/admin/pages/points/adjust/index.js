const recognition = require('../../../../../services/recognition');
const volunteerService = require('../../../../../services/volunteer');
const { formatDateTime } = require('../../../../../utils/format');

function presentAdjustment(a) {
  return Object.assign({}, a, {
    amountText: a.amount > 0 ? `+${a.amount}` : String(a.amount),
    timeText: formatDateTime(a.created_at),
  });
}

Component({
  data: {
    q: '',
    volunteers: [],
    selected: null,
    direction: 'add',
    amount: '',
    reason: '',
    errors: {},
    submitting: false,
    recent: [],
  },

  methods: {
    onLoad(options) {
      if (options && options.user_id) {
        this.setData({
          selected: { user_id: Number(options.user_id), label: options.name || `用户 ${options.user_id}` },
        });
        this.loadRecent();
      }
    },

    onSearchInput(e) {
      this.setData({ q: e.detail.value });
    },

    async onSearch() {
      try {
        const res = await volunteerService.list({ status: 'approved', q: this.data.q.trim(), page_size: 20 });
        this.setData({
          volunteers: (res.items || []).map((v) => ({
            user_id: v.user_id,
            label: `${v.real_name} ${v.number || ''} ${v.region_name || ''}`.trim(),
          })),
        });
      } catch (e) {
        // request.js showed the reason.
      }
    },

    onPick(e) {
      const { index } = e.currentTarget.dataset;
      this.setData({ selected: this.data.volunteers[index], volunteers: [], 'errors.user_id': '' });
      this._key = null;
      this.loadRecent();
    },

    async loadRecent() {
      if (!this.data.selected) return;
      try {
        const res = await recognition.adjustments({ user_id: this.data.selected.user_id, page_size: 10 }, { silent: true });
        this.setData({ recent: (res.items || []).map(presentAdjustment) });
      } catch (e) {
        this.setData({ recent: [] });
      }
    },

    onDirectionTap(e) {
      this.setData({ direction: e.currentTarget.dataset.direction });
      this._key = null;
    },

    onAmountInput(e) {
      this.setData({ amount: e.detail.value, 'errors.amount': '' });
      this._key = null;
    },

    onReasonInput(e) {
      this.setData({ reason: e.detail.value, 'errors.reason': '' });
      this._key = null;
    },

    validate() {
      const errors = {};
      const amount = Number(this.data.amount);
      if (!this.data.selected) errors.user_id = '请选择志愿者';
      if (!Number.isInteger(amount) || amount <= 0) errors.amount = '请输入正整数分值';
      if (String(this.data.reason).trim().length < 2) errors.reason = '请填写调整原因';
      this.setData({ errors });
      return Object.keys(errors).length === 0;
    },

    onSubmit() {
      if (this.data.submitting || !this.validate()) return;
      const amount = Number(this.data.amount) * (this.data.direction === 'deduct' ? -1 : 1);
      wx.showModal({
        title: '确认调整积分',
        content: `${this.data.selected.label}:${amount > 0 ? '+' : ''}${amount} 分`,
        success: (res) => {
          if (res.confirm) this.submit(amount);
        },
      });
    },

    async submit(amount) {
      // The same key for retries of this exact form: a lost answer never adjusts twice.
      this._key = this._key || recognition.newIdempotencyKey('adjust');
      this.setData({ submitting: true });
      try {
        const result = await recognition.adjustPoints(
          { user_id: this.data.selected.user_id, amount, reason: this.data.reason.trim() },
          this._key,
        );
        this._key = null;
        wx.showToast({ title: `已调整，余额 ${result.balance}`, icon: 'none' });
        this.setData({ amount: '', reason: '' });
        this.loadRecent();
      } catch (err) {
        const fieldErrors = (err && err.errors) || {};
        const errors = {};
        Object.keys(fieldErrors).forEach((key) => {
          errors[key] = [].concat(fieldErrors[key]).join(';');
        });
        this.setData({ errors });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
