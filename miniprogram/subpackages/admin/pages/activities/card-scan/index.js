// The organiser on site scans a volunteer's e-card (我的 → 志愿者证): POST
// /activities/{id}/card-checkins {card_code} checks that volunteer in, or out if already in.
// Each result says who, what (签到 / 签退) and when; the list keeps this session's scans so
// the organiser sees at a glance who is in.
const activityService = require('../../../../../services/activity');
const auth = require('../../../../../utils/auth');
const { presentActivity, hoursText } = require('../../../../../utils/activity');
const { formatDateTime } = require('../../../../../utils/format');

const ACTION_TEXT = { checkin: '签到', checkout: '签退' };

function scanCode() {
  return new Promise((resolve, reject) => {
    wx.scanCode({ onlyFromCamera: true, scanType: ['qrCode'], success: resolve, fail: reject });
  });
}

// The server's answer, whatever shape it takes, as {who, number, action, time, hours, points}.
function present(body) {
  const attendance = body.attendance || body;
  const volunteer = body.volunteer || {};
  let action = body.action || body.result;
  if (action !== 'checkin' && action !== 'checkout') {
    action = attendance.checkout_at ? 'checkout' : 'checkin';
  }
  const at = action === 'checkout' ? attendance.checkout_at : attendance.checkin_at;
  return {
    key: `${attendance.id || ''}-${action}-${at || Date.now()}`,
    who: volunteer.display_name || volunteer.name || body.display_name || body.volunteer_name || '志愿者',
    number: volunteer.number || body.volunteer_number || '',
    action,
    actionText: ACTION_TEXT[action],
    time: formatDateTime(at) || formatDateTime(new Date().toISOString()),
    hours: action === 'checkout' && attendance.served_minutes !== undefined ? hoursText(attendance.served_minutes) : '',
    points: attendance.points || 0,
  };
}

Component({
  data: {
    id: '',
    activity: null,
    busy: false,
    last: null,
    error: '',
    history: [],
    counts: { checkin: 0, checkout: 0 },
  },

  methods: {
    onLoad(options) {
      this.setData({ id: (options && options.id) || '' });
      this.loadActivity();
    },

    async loadActivity() {
      try {
        await auth.ensureLogin();
        const raw = await activityService.get(this.data.id, { silent: true });
        this.setData({ activity: presentActivity(raw) });
      } catch (e) {
        this.setData({ error: (e && e.message) || '活动加载失败' });
      }
    },

    async onScanTap() {
      if (this.data.busy) return;
      let scanned;
      try {
        scanned = await scanCode();
      } catch (e) {
        return; // the organiser closed the camera
      }
      const code = String((scanned && scanned.result) || '').trim();
      if (!code) {
        this.setData({ error: '未识别到志愿者证，请对准志愿者出示的二维码', last: null });
        return;
      }
      await this.submit(code);
    },

    async submit(code) {
      this.setData({ busy: true, error: '', last: null });
      try {
        const body = await activityService.cardCheckin(Number(this.data.id), code, { silent: true });
        const last = present(body || {});
        const counts = Object.assign({}, this.data.counts);
        counts[last.action] += 1;
        this.setData({ last, counts, history: [last].concat(this.data.history).slice(0, 50) });
        if (wx.vibrateShort) wx.vibrateShort({ type: 'light' });
      } catch (e) {
        this.setData({ error: (e && e.message) || '签到失败，请重试' });
        if (wx.vibrateLong) wx.vibrateLong();
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
