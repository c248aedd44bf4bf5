const fundService = require('../../../../../services/fund');
const { parseYuan } = require('../../../../../utils/money');
const { DONOR_TYPES, CHANNELS } = require('../../../../../utils/fund-labels');

function today() {
  const d = new Date(Date.now() + 8 * 3600 * 1000); // China date, whatever the phone's zone
  return d.toISOString().slice(0, 10);
}

function emptyForm() {
  return {
    amount: '',
    donor_name: '',
    donorTypeIndex: 0,
    anonymous: false,
    channelIndex: 2, // 微信转账
    receipt_no: '',
    donated_on: today(),
    in_kind: false,
    item_description: '',
    note: '',
  };
}

Component({
  data: {
    fundId: null,
    fundName: '',
    donorTypes: DONOR_TYPES,
    channels: CHANNELS,
    form: emptyForm(),
    errors: {},
    submitting: false,
  },

  methods: {
    onLoad(options) {
      this.setData({
        fundId: options.fund_id,
        fundName: options.name ? decodeURIComponent(options.name) : '',
      });
      // One key per donation being typed: a retried submission is recorded once.
      this._key = fundService.newIdempotencyKey();
    },

    onInput(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
    },

    onSwitch(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: !!e.detail.value });
    },

    onPick(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: Number(e.detail.value) });
    },

    onDateChange(e) {
      this.setData({ 'form.donated_on': e.detail.value });
    },

    validate() {
      const f = this.data.form;
      const errors = {};
      const amount = parseYuan(f.amount);
      if (amount === null) errors.amount = '请输入正确的金额（最多两位小数）';
      if (!f.anonymous && !f.donor_name.trim()) errors.donor_name = '请填写捐赠人，或选择匿名';
      if (f.in_kind && !f.item_description.trim()) errors.item_description = '请填写物品名称和数量';
      return { errors, amount };
    },

    payload(amount) {
      const f = this.data.form;
      const body = {
        amount_fen: amount,
        donor_name: f.donor_name.trim(),
        donor_type: DONOR_TYPES[f.donorTypeIndex].key,
        anonymous: f.anonymous,
        receipt_no: f.receipt_no.trim(),
        donated_on: f.donated_on,
        in_kind: f.in_kind,
        item_description: f.in_kind ? f.item_description.trim() : '',
        note: f.note.trim(),
      };
      if (!f.in_kind) body.channel = CHANNELS[f.channelIndex].key;
      return body;
    },

    async onSubmit() {
      if (this.data.submitting) return;
      const { errors, amount } = this.validate();
      if (Object.keys(errors).length) {
        this.setData({ errors });
        return;
      }
      this.setData({ submitting: true, errors: {} });
      try {
        const entry = await fundService.recordDonation(this.data.fundId, this.payload(amount), this._key, { silent: true });
        this._key = fundService.newIdempotencyKey();
        this.setData({ form: emptyForm(), lastEntry: entry });
        wx.showToast({ title: '捐赠已入账', icon: 'success' });
        setTimeout(() => wx.navigateBack(), 800);
      } catch (err) {
        const fieldErrors = {};
        Object.keys((err && err.errors) || {}).forEach((key) => {
          const name = key === 'amount_fen' ? 'amount' : key;
          fieldErrors[name] = [].concat(err.errors[key]).join(';');
        });
        this.setData({ errors: fieldErrors });
        wx.showToast({ title: (err && err.message) || '提交失败', icon: 'none' });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
