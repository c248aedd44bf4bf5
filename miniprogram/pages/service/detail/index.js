// One of my requests: status, photos, the whole timeline; cancel, rate, reopen, add a note.
const auth = require('../../../utils/auth');
const requestService = require('../../../services/service_request');
const uploadService = require('../../../services/upload');
const { present, timeline, actionFlags, promptText } = require('../../../utils/service_request');

Component({
  data: {
    id: null,
    req: null,
    events: [],
    can: {},
    photoPaths: [],
    score: 0,
    comment: '',
    loading: false,
    failed: false,
    busy: false,
  },

  methods: {
    onLoad(options) {
      this.setData({ id: Number(options && options.id) });
      this.load();
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, failed: false });
      try {
        await auth.ensureLogin();
        this.show(await requestService.get(this.data.id));
        this.loadPhotos();
      } catch (e) {
        this.setData({ failed: true });
      } finally {
        this.setData({ loading: false });
      }
    },

    show(req) {
      this.setData({ req: present(req), events: timeline(req), can: actionFlags(req) });
    },

    async loadPhotos() {
      const urls = (this.data.req && this.data.req.photos) || [];
      const paths = await Promise.all(urls.map((url) => uploadService.localCopy(url)));
      this.setData({ photoPaths: paths.filter(Boolean) });
    },

    onPreview(e) {
      const { index } = e.currentTarget.dataset;
      wx.previewImage({ urls: this.data.photoPaths, current: this.data.photoPaths[index] });
    },

    async run(action, payload, done) {
      if (this.data.busy) return;
      this.setData({ busy: true });
      try {
        this.show(await requestService.act(this.data.id, action, payload));
        wx.showToast({ title: done, icon: 'success' });
      } catch (e) {
        // request.js showed the reason (e.g. 已超过重新打开期限).
      } finally {
        this.setData({ busy: false });
      }
    },

    onRateChange(e) {
      this.setData({ score: Number(e.detail.value) || 0 });
    },

    onCommentInput(e) {
      this.setData({ comment: e.detail.value });
    },

    onRate() {
      if (!this.data.score) {
        wx.showToast({ title: '请选择评分', icon: 'none' });
        return;
      }
      this.run('rating', { score: this.data.score, comment: this.data.comment.trim() }, '感谢评价');
    },

    async onReopen() {
      const reason = await promptText('重新打开', '请说明仍未解决的问题', true);
      if (reason) this.run('reopen', { reason }, '已重新打开');
    },

    onCancel() {
      wx.showModal({
        title: '撤销请求',
        content: '撤销后处理人员将不再处理此请求，确定撤销吗？',
        success: (res) => {
          if (res.confirm) this.run('cancel', {}, '已撤销');
        },
      });
    },

    async onNote() {
      const note = await promptText('补充说明', '补充的情况会通知处理人员', true);
      if (note) this.run('notes', { note }, '已补充');
    },
  },
});
