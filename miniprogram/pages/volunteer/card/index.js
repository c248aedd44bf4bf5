// 我的 → 志愿者证: the volunteer's e-card. Its QR holds a short-lived signed code from
// GET /me/card that the organiser scans on site (subpackages/admin/pages/activities/card-scan)
// to check the volunteer in or out. The code is fetched again before it expires (a screenshot
// of an old card is useless), while the page is on screen only; the screen stays on.
const auth = require('../../../utils/auth');
const userService = require('../../../services/user');
const volunteerService = require('../../../services/volunteer');
const { STAR_NAMES } = require('../../../utils/constants');

const REFRESH_BEFORE_MS = 10 * 1000; // fetch a new code this long before the old one expires
const MIN_REFRESH_MS = 5 * 1000;
const DEFAULT_TTL_MS = 60 * 1000;

// When the code stops working, in ms since the epoch, whatever field the server uses.
function expiryOf(card, now) {
  if (card.expires_at) {
    const ms = Date.parse(card.expires_at);
    if (!Number.isNaN(ms)) return ms;
  }
  const ttl = Number(card.expires_in || card.ttl_seconds);
  return now + (ttl > 0 ? ttl * 1000 : DEFAULT_TTL_MS);
}

Component({
  data: {
    loading: true,
    error: '',
    notVolunteer: false,
    profile: null,
    code: '',
    secondsLeft: 0,
    qrStatus: 'loading',
  },

  methods: {
    onLoad() {
      this.load();
    },

    onShow() {
      if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: true });
      // Back on screen after a while: the code may be stale.
      if (this._loaded && (!this._expiresAt || this._expiresAt - Date.now() < REFRESH_BEFORE_MS)) this.fetchCode();
      else if (this._loaded) this.startCountdown();
    },

    onHide() {
      this.stopTimers();
    },

    onUnload() {
      this.stopTimers();
      if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: false });
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        await auth.ensureLogin();
        const me = await userService.getMe({ silent: true });
        const v = me.volunteer;
        if (!v || v.status !== 'approved') {
          this.setData({ loading: false, notVolunteer: true });
          return;
        }
        this.setData({
          profile: {
            name: v.display_name || me.nickname || '',
            number: v.number || '',
            region: v.region_name || '',
            hours: me.service_hours || 0,
            stars: me.star_level ? '★'.repeat(me.star_level) : '',
            starName: STAR_NAMES[me.star_level || 0],
          },
        });
        await this.fetchCode();
        this._loaded = true;
      } catch (e) {
        this.setData({ error: (e && e.message) || '加载失败，请稍后重试' });
      } finally {
        this.setData({ loading: false });
      }
    },

    async fetchCode() {
      this.stopTimers();
      this.setData({ qrStatus: 'loading' });
      try {
        const card = await volunteerService.myCard({ silent: true });
        const now = Date.now();
        this._expiresAt = expiryOf(card, now);
        this.setData({ code: card.code || card.card_code || '', qrStatus: 'active', error: '' });
        this.startCountdown();
        const wait = Math.max(MIN_REFRESH_MS, this._expiresAt - now - REFRESH_BEFORE_MS);
        this._refreshTimer = setTimeout(() => this.fetchCode(), wait);
      } catch (e) {
        if (e && (e.code === 'volunteer_required' || e.statusCode === 403)) {
          this.setData({ notVolunteer: true, code: '' });
          return;
        }
        // Keep the old code only while it still works; then show it as expired with a refresh.
        this.setData({ qrStatus: 'expired', error: (e && e.message) || '网络异常，二维码未能更新' });
      }
    },

    startCountdown() {
      if (this._tick) clearInterval(this._tick);
      const update = () => {
        const left = Math.max(0, Math.round((this._expiresAt - Date.now()) / 1000));
        this.setData({ secondsLeft: left });
        if (left === 0) this.setData({ qrStatus: 'expired' });
      };
      update();
      this._tick = setInterval(update, 1000);
    },

    stopTimers() {
      if (this._refreshTimer) clearTimeout(this._refreshTimer);
      if (this._tick) clearInterval(this._tick);
      this._refreshTimer = null;
      this._tick = null;
    },

    onRefresh() {
      this.fetchCode();
    },

    onApply() {
      wx.navigateTo({ url: '/pages/volunteer/apply/index' });
    },
  },
});
