const fundService = require('../../../../../services/fund');
const { parseYuan } = require('../../../../../utils/money');
const { EXPENSE_CATEGORIES, DONOR_TYPES } = require('../../../../../utils/fund-labels');

const MAX_PHOTOS = 9;

function emptyForm() {
  return { amount: '', categoryIndex: 0, purpose: '', payee: '', payeeTypeIndex: 1, note: '' };
}

Component({
  data: {
    fundId: null,
    fundName: '',
    categories: EXPENSE_CATEGORIES,
    payeeTypes: DONOR_TYPES,
    form: emptyForm(),
    photos: [], // uploaded URLs, as sent to the API
    previews: [], // the same photos as absolute URLs for <image>
    uploading: false,
    errors: {},
    submitting: false,
  },

  methods: {
    onLoad(options) {
      this.setData({
        fundId: options.fund_id,
        fundName: options.name ? decodeURIComponent(options.name) : '',
      });
      this._key = fundService.newIdempotencyKey();
    },

    onInput(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
    },

    onPick(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: Number(e.detail.value) });
    },

    onAddPhoto() {
      const left = MAX_PHOTOS - this.data.photos.length;
      if (left <= 0 || this.data.uploading) return;
      wx.chooseMedia({
        count: left,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: (res) => this.upload((res.tempFiles || []).map((f) => f.tempFilePath)),
      });
    },

    async upload(paths) {
      this.setData({ uploading: true });
      try {
        for (const path of paths) {
          // eslint-disable-next-line no-await-in-loop
          const url = await fundService.uploadReceipt(path);
          this.setData({
            photos: this.data.photos.concat(url),
            previews: this.data.previews.concat(fundService.fileUrl(url)),
            'errors.attachments': '',
          });
        }
      } catch (err) {
        wx.showToast({ title: (err && err.message) || '图片上传失败', icon: 'none' });
      } finally {
        this.setData({ uploading: false });
      }
    },

    onRemovePhoto(e) {
      const { index } = e.currentTarget.dataset;
      const photos = this.data.photos.slice();
      const previews = this.data.previews.slice();
      photos.splice(Number(index), 1);
      previews.splice(Number(index), 1);
      this.setData({ photos, previews });
    },

    validate() {
      const f = this.data.form;
      const errors = {};
      const amount = parseYuan(f.amount);
      if (amount === null) errors.amount = '请输入正确的金额（最多两位小数）';
      if (f.purpose.trim().length < 2) errors.purpose = '请填写用途（至少2个字）';
      if (f.payee.trim().length < 2) errors.payee = '请填写收款方';
      if (this.data.photos.length === 0) errors.attachments = '请上传至少一张票据照片';
      return { errors, amount };
    },

    async submit(draft) {
      if (this.data.submitting || this.data.uploading) return;
      const { errors, amount } = this.validate();
      if (Object.keys(errors).length) {
        this.setData({ errors });
        return;
      }
      const f = this.data.form;
      const body = {
        amount_fen: amount,
        category: EXPENSE_CATEGORIES[f.categoryIndex].key,
        purpose: f.purpose.trim(),
        payee: f.payee.trim(),
        payee_type: DONOR_TYPES[f.payeeTypeIndex].key,
        note: f.note.trim(),
        attachments: this.data.photos,
        draft,
      };
      this.setData({ submitting: true, errors: {} });
      try {
        await fundService.submitExpense(this.data.fundId, body, this._key, { silent: true });
        this._key = fundService.newIdempotencyKey();
        this.setData({ form: emptyForm(), photos: [], previews: [] });
        wx.showToast({ title: draft ? '草稿已保存' : '已提交审批', icon: 'success' });
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

    onSubmit() {
      return this.submit(false);
    },

    onSaveDraft() {
      return this.submit(true);
    },
  },
});
