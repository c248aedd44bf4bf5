// A request for a handler or dispatcher: details, contact, timeline and the allowed actions.
const requestService = require('../../../../../services/service_request');
const uploadService = require('../../../../../services/upload');
const { present, timeline, actionFlags, promptText } = require('../../../../../utils/service_request');

Component({
  data: { id: null, req: null, events: [], can: {}, photoPaths: [], loading: false, failed: false, busy: false },

  methods: {
    onLoad(options) {
      this.setData({ id: Number(options && options.id) });
      this.load();
    },

    onShow() {
      // Back from the assign picker.
      if (this._loadedOnce) this.load();
    },

    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, failed: false });
      try {
        this.show(await requestService.get(this.data.id));
        this.loadPhotos();
      } catch (e) {
        this.setData({ failed: true });
      } finally {
        this._loadedOnce = true;
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
      wx.previewImage({ urls: this.data.photoPaths, current: this.data.photoPaths[e.currentTarget.dataset.index] });
    },

    onCall() {
      const phone = this.data.req && this.data.req.contact_phone;
      if (phone && !phone.includes('*')) wx.makePhoneCall({ phoneNumber: phone });
    },

    onOpenMap() {
      const { req } = this.data;
      if (req && req.latitude != null) {
        wx.openLocation({ latitude: req.latitude, longitude: req.longitude, address: req.address || '' });
      }
    },

    async run(action, payload, done) {
      if (this.data.busy) return;
      this.setData({ busy: true });
      try {
        this.show(await requestService.act(this.data.id, action, payload));
        wx.showToast({ title: done, icon: 'success' });
      } catch (e) {
        // 409 request_changed: someone else acted first; show the fresh state.
        if (e && e.statusCode === 409) this.load();
      } finally {
        this.setData({ busy: false });
      }
    },

    onClaim() {
      this.run('claim', {}, '已认领');
    },

    onAccept() {
      this.run('accept', {}, '已受理');
    },

    onRelease() {
      this.run('release', {}, '已通过审核');
    },

    async onResolve() {
      const note = await promptText('办结', '请填写办理结果', true);
      if (note) this.run('resolve', { note }, '已办结');
    },

    async onReject() {
      const reason = await promptText('驳回', '请填写驳回原因', true);
      if (reason) this.run('reject', { reason }, '已驳回');
    },

    async onEscalate() {
      const reason = await promptText('上报上级', '请填写上报原因', true);
      if (reason) this.run('escalate', { reason }, '已上报');
    },

    async onNote() {
      const note = await promptText('添加备注', '备注会记入办理进度', true);
      if (note) this.run('notes', { note }, '已添加');
    },

    onAssign() {
      wx.navigateTo({ url: `/subpackages/admin/pages/requests/assign/index?id=${this.data.id}` });
    },
  },
});
