// Create or edit an activity; publish, cancel (with a reason) and complete it.
const activityService = require('../../../../../services/activity');
const regionService = require('../../../../../services/region');
const userService = require('../../../../../services/user');
const { ACTIVITY_CATEGORIES, ACTIVITY_CATEGORY_LABELS } = require('../../../../../utils/constants');
const { presentActivity } = require('../../../../../utils/activity');

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const CATEGORY_OPTIONS = ACTIVITY_CATEGORIES.map((key) => ({ key, label: ACTIVITY_CATEGORY_LABELS[key] }));
const POINTS_MODES = [
  { key: 'per_hour', label: '按服务小时' },
  { key: 'fixed', label: '固定积分' },
];

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// ISO → {date: 'YYYY-MM-DD', time: 'HH:mm'} in China time.
function splitChina(iso) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { date: '', time: '' };
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

function chinaIso(date, time) {
  return `${date}T${time}:00+08:00`;
}

// Regions the organiser may post in: their own village/township and, below a township or the
// city, its villages/townships.
async function organiserRegions(me) {
  const grants = (me.roles || []).filter((r) => ['village_admin', 'township_admin', 'city_admin'].includes(r.role));
  const options = [];
  const seen = {};
  const add = (id, name) => {
    if (!seen[id]) {
      seen[id] = true;
      options.push({ id, name });
    }
  };
  for (let i = 0; i < grants.length; i += 1) {
    const g = grants[i];
    if (g.region_level === 'village') add(g.region_id, g.region_name);
    else if (g.region_level === 'township') {
      add(g.region_id, g.region_name);
      // eslint-disable-next-line no-await-in-loop
      (await regionService.listVillages(g.region_id)).forEach((v) => add(v.id, `${g.region_name} ${v.name}`));
    } else if (g.region_level === 'city') {
      // eslint-disable-next-line no-await-in-loop
      (await regionService.listTownships()).forEach((t) => add(t.id, t.name));
    }
  }
  return options;
}

const EMPTY_FORM = {
  title: '',
  description: '',
  categoryIndex: 0,
  date: '',
  startTime: '09:00',
  endTime: '11:00',
  deadlineDate: '',
  deadlineTime: '',
  place_name: '',
  latitude: null,
  longitude: null,
  checkin_radius_m: '300',
  capacity: '',
  waitlist_enabled: true,
  pointsModeIndex: 0,
  points_value: '10',
  counts_as_duty: false,
  regionIndex: 0,
};

Component({
  data: {
    id: '',
    activity: null,
    form: Object.assign({}, EMPTY_FORM),
    categories: CATEGORY_OPTIONS,
    pointsModes: POINTS_MODES,
    regions: [],
    errors: {},
    saving: false,
    editable: true,
  },

  methods: {
    async onLoad(options) {
      const id = (options && options.id) || '';
      this.setData({ id });
      try {
        const me = await userService.getMe({ silent: true });
        this.setData({ regions: await organiserRegions(me) });
      } catch (e) {
        this.setData({ regions: [] });
      }
      if (id) await this.loadActivity();
    },

    async loadActivity() {
      try {
        const a = await activityService.get(this.data.id);
        this.fill(a);
      } catch (e) {
        // request.js showed the reason.
      }
    },

    fill(a) {
      const start = splitChina(a.start_at);
      const end = splitChina(a.end_at);
      const deadline = splitChina(a.enroll_deadline);
      const regionIndex = Math.max(0, this.data.regions.findIndex((r) => r.id === a.region_id));
      this.setData({
        activity: presentActivity(a),
        editable: a.status === 'draft' || a.phase === 'enrolling' || a.phase === 'upcoming',
        form: {
          title: a.title,
          description: a.description || '',
          categoryIndex: Math.max(0, ACTIVITY_CATEGORIES.indexOf(a.category)),
          date: start.date,
          startTime: start.time,
          endTime: end.time,
          deadlineDate: deadline.date,
          deadlineTime: deadline.time,
          place_name: a.place_name,
          latitude: a.latitude,
          longitude: a.longitude,
          checkin_radius_m: String(a.checkin_radius_m),
          capacity: a.capacity ? String(a.capacity) : '',
          waitlist_enabled: Boolean(a.waitlist_enabled),
          pointsModeIndex: a.points_mode === 'fixed' ? 1 : 0,
          points_value: String(a.points_value),
          counts_as_duty: Boolean(a.counts_as_duty),
          regionIndex,
        },
      });
    },

    onInput(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
    },

    onSwitch(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: Boolean(e.detail.value) });
    },

    onChooseLocation() {
      wx.chooseLocation({
        success: (res) => {
          this.setData({
            'form.place_name': res.name || res.address || '',
            'form.latitude': res.latitude,
            'form.longitude': res.longitude,
            'errors.place_name': '',
          });
        },
      });
    },

    validate() {
      const f = this.data.form;
      const errors = {};
      if (!f.title || f.title.trim().length < 2) errors.title = '请填写活动名称（至少2个字）';
      if (!f.date) errors.date = '请选择活动日期';
      if (f.endTime <= f.startTime) errors.endTime = '结束时间须晚于开始时间';
      if (!f.place_name || f.latitude === null) errors.place_name = '请在地图上选择活动地点';
      if (f.capacity && !(Number(f.capacity) >= 1)) errors.capacity = '名额须为正整数，不限请留空';
      if (!this.data.regions.length) errors.region = '您没有可发布活动的区域';
      this.setData({ errors });
      return Object.keys(errors).length === 0;
    },

    payload() {
      const f = this.data.form;
      const body = {
        title: f.title.trim(),
        description: f.description,
        category: ACTIVITY_CATEGORIES[f.categoryIndex],
        start_at: chinaIso(f.date, f.startTime),
        end_at: chinaIso(f.date, f.endTime),
        place_name: f.place_name,
        latitude: f.latitude,
        longitude: f.longitude,
        checkin_radius_m: Number(f.checkin_radius_m) || 300,
        capacity: f.capacity ? Number(f.capacity) : null,
        waitlist_enabled: f.waitlist_enabled,
        points_mode: POINTS_MODES[f.pointsModeIndex].key,
        points_value: Number(f.points_value) || 0,
        counts_as_duty: f.counts_as_duty,
      };
      if (f.deadlineDate && f.deadlineTime) body.enroll_deadline = chinaIso(f.deadlineDate, f.deadlineTime);
      if (!this.data.id || (this.data.activity && this.data.activity.status === 'draft')) {
        body.region_id = this.data.regions[f.regionIndex].id;
      }
      return body;
    },

    async onSave() {
      if (this.data.saving || !this.validate()) return;
      this.setData({ saving: true });
      try {
        const saved = this.data.id
          ? await activityService.update(this.data.id, this.payload())
          : await activityService.create(this.payload());
        this.setData({ id: String(saved.id) });
        this.fill(saved);
        wx.showToast({
          title: saved.content_status === 'review' ? '已保存，内容待审核' : '已保存',
          icon: saved.content_status === 'review' ? 'none' : 'success',
        });
      } catch (e) {
        if (e && e.errors) {
          const errors = {};
          Object.keys(e.errors).forEach((k) => { errors[k] = [].concat(e.errors[k]).join(';'); });
          this.setData({ errors });
        }
      } finally {
        this.setData({ saving: false });
      }
    },

    async onPublish() {
      try {
        this.fill(await activityService.publish(this.data.id));
        wx.showToast({ title: '已发布', icon: 'success' });
      } catch (e) {
        // request.js showed the reason (content under review, start passed …).
      }
    },

    onCancelActivity() {
      wx.showModal({
        title: '取消活动',
        editable: true,
        placeholderText: '请填写取消原因（将通知已报名的志愿者）',
        success: async (res) => {
          if (!res.confirm) return;
          const reason = String(res.content || '').trim();
          if (!reason) {
            wx.showToast({ title: '请填写取消原因', icon: 'none' });
            return;
          }
          try {
            this.fill(await activityService.cancel(this.data.id, reason));
            wx.showToast({ title: '活动已取消', icon: 'success' });
          } catch (e) {
            // request.js showed the reason.
          }
        },
      });
    },

    onComplete() {
      wx.showModal({
        title: '结束活动',
        content: '结束后仍在签到中的人员将自动签退，未签到的报名记为缺席。',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            this.fill(await activityService.complete(this.data.id));
            wx.showToast({ title: '活动已结束', icon: 'success' });
          } catch (e) {
            // request.js showed the reason.
          }
        },
      });
    },

    onRosterTap() {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/roster/index?id=${this.data.id}` });
    },

    onQrTap() {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/qrcode/index?id=${this.data.id}` });
    },
  },
});
