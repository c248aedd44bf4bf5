// Scan to check in/out: wx.scanCode → scene → wx.getLocation → POST checkins|checkouts.
// Opened three ways: from the detail page (?id=), by scanning the organiser's mini-program code
// with WeChat itself (?scene=a=..&c=..&m=i), or with a code typed in by hand.
const activityService = require('../../../services/activity');
const auth = require('../../../utils/auth');
const { parseScene, sceneFromScan } = require('../../../utils/scene');
const { hoursText, presentActivity } = require('../../../utils/activity');
const { formatDateTime } = require('../../../utils/format');
const { locate } = require('../../../utils/location');

const PURPOSE_TEXT = { checkin: '签到', checkout: '签退' };

function scanCode() {
  return new Promise((resolve, reject) => {
    wx.scanCode({ onlyFromCamera: true, scanType: ['wxCode', 'qrCode'], success: resolve, fail: reject });
  });
}

Component({
  data: {
    activityId: '',
    manualCode: '',
    purpose: 'checkin',
    busy: false,
    result: null,
    error: '',
    locationError: null,
    activity: null,
  },

  methods: {
    onLoad(options) {
      const opts = options || {};
      const fromQr = parseScene(opts.scene);
      if (fromQr) {
        this.setData({ activityId: String(fromQr.activityId), purpose: fromQr.purpose });
        this.submit(fromQr);
        return;
      }
      this.setData({ activityId: opts.id || '' });
    },

    async onScanTap() {
      let scanned;
      try {
        scanned = sceneFromScan(await scanCode());
      } catch (e) {
        return; // the user closed the camera
      }
      if (!scanned) {
        this.setData({ error: '这不是活动签到码，请扫描组织者出示的二维码' });
        return;
      }
      if (this.data.activityId && String(scanned.activityId) !== String(this.data.activityId)) {
        this.setData({ error: '该签到码不属于当前活动' });
        return;
      }
      this.setData({ activityId: String(scanned.activityId), purpose: scanned.purpose });
      this.submit(scanned);
    },

    onCodeInput(e) {
      this.setData({ manualCode: String(e.detail.value || '').trim().toUpperCase() });
    },

    onPurposeChange(e) {
      this.setData({ purpose: e.detail.value });
    },

    // Back from the settings page (or the phone's location switch): try the same code again.
    onRetryLocation() {
      if (this._lastScene) this.submit(this._lastScene);
    },

    onManualSubmit() {
      if (!this.data.manualCode || !this.data.activityId) {
        this.setData({ error: '请输入现场显示的签到码' });
        return;
      }
      this.submit({
        activityId: Number(this.data.activityId),
        code: this.data.manualCode,
        purpose: this.data.purpose,
      });
    },

    async submit(scene) {
      if (this.data.busy) return;
      this._lastScene = scene;
      this.setData({ busy: true, error: '', result: null, locationError: null });
      try {
        await auth.ensureLogin();
        let location;
        try {
          location = await locate({ precise: true });
        } catch (e) {
          // Denied, GPS off or privacy: say which, and offer the way back (sa-location-help).
          this.setData({ locationError: e });
          return;
        }
        const payload = {
          code: scene.code,
          latitude: location.latitude,
          longitude: location.longitude,
        };
        if (typeof location.accuracy === 'number') payload.accuracy = location.accuracy;
        const call = scene.purpose === 'checkout' ? activityService.checkOut : activityService.checkIn;
        const record = await call(scene.activityId, payload, { silent: true });
        // The wall's check-in code scanned again by someone checked in checks them out.
        const done = record.status === 'checked_out' ? 'checkout' : scene.purpose;
        const text = PURPOSE_TEXT[done];
        const at = done === 'checkout' ? record.checkout_at : record.checkin_at;
        this.setData({
          purpose: done === 'checkin' ? 'checkout' : 'checkin',
          manualCode: '',
          result: {
            title: `${text}成功`,
            purpose: done,
            timeText: formatDateTime(at),
            checkinText: formatDateTime(record.checkin_at),
            hours: done === 'checkout' ? hoursText(record.served_minutes) : '',
            points: record.points || 0,
            distance: record[`${done}_distance_m`],
            hasDistance: typeof record[`${done}_distance_m`] === 'number',
          },
        });
        wx.showToast({ title: `${text}成功`, icon: 'success' });
        this.loadActivity(scene.activityId);
      } catch (e) {
        this.setData({ error: (e && e.message) || '操作失败，请重试' });
      } finally {
        this.setData({ busy: false });
      }
    },

    // What the volunteer just checked in to: name, time, place, check-in radius.
    async loadActivity(id) {
      try {
        const raw = await activityService.get(id, { silent: true });
        this.setData({ activity: presentActivity(raw) });
      } catch (e) {
        this.setData({ activity: null });
      }
    },

    onHoursTap() {
      wx.navigateTo({ url: '/pages/activity/hours/index' });
    },

    onDetailTap() {
      wx.redirectTo({ url: `/pages/activity/detail/index?id=${this.data.activityId}` });
    },
  },
});
