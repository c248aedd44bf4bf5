// Full-screen rotating check-in code: fetches the current code and its mini-program QR image,
// and fetches the next one when it rotates (a little before, so a scan never meets a dead code).
const activityService = require('../../../../../services/activity');

const REFRESH_EARLY_MS = 2000;
const RETRY_MS = 5000;

Component({
  data: { id: '', purpose: 'checkin', code: '', image: '', imageError: '', secondsLeft: 0, error: '' },

  methods: {
    onLoad(options) {
      this.setData({ id: (options && options.id) || '', purpose: (options && options.purpose) || 'checkin' });
      wx.setKeepScreenOn && wx.setKeepScreenOn({ keepScreenOn: true });
      this.load();
    },

    onUnload() {
      this.stop();
    },

    onHide() {
      this.stop();
    },

    onShow() {
      if (this._loadedOnce && !this._timer) this.load();
    },

    stop() {
      clearTimeout(this._timer);
      clearInterval(this._ticker);
      this._timer = null;
      this._ticker = null;
    },

    async load() {
      this.stop();
      try {
        const res = await activityService.checkinCode(this.data.id, this.data.purpose, { silent: true });
        this._loadedOnce = true;
        const expires = Date.parse(res.expires_at);
        this.setData({
          code: res.code,
          image: res.image || '',
          imageError: res.image ? '' : (res.image_error || '小程序码暂不可用，请让志愿者手动输入签到码'),
          error: '',
        });
        const wait = Math.max(expires - Date.now() - REFRESH_EARLY_MS, 1000);
        this._timer = setTimeout(() => this.load(), wait);
        const tick = () => this.setData({ secondsLeft: Math.max(0, Math.round((expires - Date.now()) / 1000)) });
        tick();
        this._ticker = setInterval(tick, 1000);
      } catch (e) {
        this.setData({ error: (e && e.message) || '获取签到码失败' });
        // A cancelled or finished activity will not come back; anything else is retried.
        if (!(e && (e.statusCode === 409 || e.statusCode === 403 || e.statusCode === 404))) {
          this._timer = setTimeout(() => this.load(), RETRY_MS);
        }
      }
    },

    onPurposeTap(e) {
      const { purpose } = e.currentTarget.dataset;
      if (purpose === this.data.purpose) return;
      this.setData({ purpose, code: '', image: '' });
      this.load();
    },
  },
});
