// Scan to check in/out: wx.scanCode → scene → wx.getLocation → POST checkins|checkouts.
// Opened three ways: from the detail page (?id=), by scanning the organiser's mini-program code
// with WeChat itself (?scene=a=..&c=..&m=i), or with a code typed in by hand.
const activityService = require('../../../services/activity');
const auth = require('../../../utils/auth');
const { parseScene, sceneFromScan } = require('../../../utils/scene');
const { hoursText } = require('../../../utils/activity');

const PURPOSE_TEXT = { checkin: '签到', checkout: '签退' };

function scanCode() {
  return new Promise((resolve, reject) => {
    wx.scanCode({ onlyFromCamera: true, scanType: ['wxCode', 'qrCode'], success: resolve, fail: reject });
  });
}

function locate() {
  return new Promise((resolve, reject) => {
    wx.getLocation({
      type: 'gcj02',
      isHighAccuracy: true,
      highAccuracyExpireTime: 4000,
      success: resolve,
      fail: reject,
    });
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
        this.setData({ error: '这不是活动签到码,请扫描组织者出示的二维码' });
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

    onPurposeTap(e) {
      this.setData({ purpose: e.currentTarget.dataset.purpose });
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
      this.setData({ busy: true, error: '', result: null });
      try {
        await auth.ensureLogin();
        let location;
        try {
          location = await locate();
        } catch (e) {
          this.setData({ error: '需要获取您的位置以确认在活动现场,请在设置中允许定位' });
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
        this.setData({
          purpose: done,
          result: {
            title: `${text}成功`,
            purpose: done,
            hours: done === 'checkout' ? hoursText(record.served_minutes) : '',
            points: record.points || 0,
            distance: record[`${done}_distance_m`],
          },
        });
        wx.showToast({ title: `${text}成功`, icon: 'success' });
      } catch (e) {
        this.setData({ error: (e && e.message) || '操作失败,请重试' });
      } finally {
        this.setData({ busy: false });
      }
    },

    onDetailTap() {
      wx.redirectTo({ url: `/pages/activity/detail/index?id=${this.data.activityId}` });
    },
  },
});
