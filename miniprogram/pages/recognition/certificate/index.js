// One certificate, as anyone can verify it (GET /certificates/{number}, public): who (masked),
// what, issued by whom and when, valid or revoked, and its PDF. Shared to a chat or Moments it
// opens here directly, for people who have never used the app.
const recognition = require('../../../services/recognition');
const { formatDateTime } = require('../../../utils/format');
const { openPdf } = require('../../../utils/certificate');
const share = require('../../../utils/share');

Component({
  data: {
    number: '',
    cert: null,
    loading: true,
    error: '',
    notFound: false,
  },

  methods: {
    onLoad(options) {
      let number = (options && options.number) || '';
      try {
        number = decodeURIComponent(number);
      } catch (e) {
        // already plain
      }
      this.setData({ number: number.trim() });
      share.enable();
      this.load();
    },

    async load() {
      if (!this.data.number) {
        this.setData({ loading: false, notFound: true });
        return;
      }
      this.setData({ loading: true, error: '', notFound: false });
      try {
        const cert = await recognition.verifyCertificate(this.data.number, { auth: false, silent: true });
        this.setData({
          cert: Object.assign({}, cert, {
            issuedText: formatDateTime(cert.issued_at).slice(0, 10),
            revoked: cert.status === 'revoked' || cert.valid === false,
            facts: cert.facts || [],
          }),
        });
      } catch (e) {
        if (e && e.statusCode === 404) this.setData({ notFound: true });
        else this.setData({ error: (e && e.message) || '加载失败，请稍后重试' });
      } finally {
        this.setData({ loading: false });
      }
    },

    async onPdf() {
      try {
        await openPdf(this.data.number);
      } catch (err) {
        wx.showToast({ title: '证书打开失败，请稍后重试', icon: 'none' });
      }
    },

    onShareAppMessage() {
      const c = this.data.cert;
      const title = c ? `${c.holder_name}的${c.title}（${c.issuer}）` : '平安大联盟证书';
      return share.toChat(title, '/pages/recognition/certificate/index', { number: this.data.number });
    },

    onShareTimeline() {
      const c = this.data.cert;
      return share.toTimeline(c ? `${c.holder_name}获${c.title} · ${c.issuer}` : '平安大联盟证书', { number: this.data.number });
    },
  },
});
