const auth = require('../../../utils/auth');
const recognition = require('../../../services/recognition');
const { formatDateTime } = require('../../../utils/format');
const { openPdf } = require('../../../utils/certificate');

const PAGE_SIZE = 20;

function present(c) {
  return Object.assign({}, c, {
    issuedText: formatDateTime(c.issued_at).slice(0, 10),
    revoked: c.status === 'revoked',
  });
}

Component({
  data: {
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    number: '',
    verified: null,
    verifyError: '',
    requesting: false,
  },

  methods: {
    onLoad(options) {
      if (options && options.number) {
        this.setData({ number: options.number });
        this.onVerify();
      }
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
        await auth.ensureLogin();
        const res = await recognition.myCertificates({ page, page_size: PAGE_SIZE });
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

    // The certificate's own page: verification, PDF and sharing.
    onOpenTap(e) {
      const { number } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/recognition/certificate/index?number=${encodeURIComponent(number)}` });
    },

    async onPdfTap(e) {
      try {
        await openPdf(e.currentTarget.dataset.number);
      } catch (err) {
        wx.showToast({ title: '证书打开失败，请稍后重试', icon: 'none' });
      }
    },

    // 申请服务时长证明: the certificate states my service hours as of now.
    async onRequestHours() {
      if (this.data.requesting) return;
      this.setData({ requesting: true });
      try {
        await auth.ensureLogin();
        const cert = await recognition.requestServiceHoursCertificate({ silent: true });
        const fresh = present(cert);
        const rest = this.data.items.filter((c) => c.number !== fresh.number);
        this.setData({ items: [fresh].concat(rest), total: rest.length + 1 });
        wx.showToast({ title: '证明已开具', icon: 'success' });
      } catch (err) {
        wx.showModal({
          title: '无法开具',
          content: (err && err.message) || '请稍后重试',
          showCancel: false,
        });
      } finally {
        this.setData({ requesting: false });
      }
    },

    onNumberInput(e) {
      this.setData({ number: e.detail.value, verifyError: '' });
    },

    async onVerify() {
      const number = String(this.data.number || '').trim();
      if (!number) {
        this.setData({ verifyError: '请输入证书编号', verified: null });
        return;
      }
      try {
        const cert = await recognition.verifyCertificate(number, { auth: false, silent: true });
        this.setData({ verified: present(cert), verifyError: '' });
      } catch (err) {
        const message = err && err.statusCode === 404 ? '未查到该证书，请核对编号' : (err && err.message) || '查询失败';
        this.setData({ verified: null, verifyError: message });
      }
    },
  },
});
