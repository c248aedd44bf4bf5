const recognition = require('../../../../../services/recognition');
const volunteerService = require('../../../../../services/volunteer');
const teamService = require('../../../../../services/team');
const regionService = require('../../../../../services/region');

const TARGET_LABELS = { volunteer: '志愿者', team: '志愿服务队', village: '村（社区）' };

// Candidates for an award type's target kind, as [{id, label}].
async function candidates(kind) {
  if (kind === 'volunteer') {
    const res = await volunteerService.list({ status: 'approved', page_size: 100 });
    return (res.items || []).map((v) => ({
      id: v.id,
      label: `${v.real_name}${v.number ? `(${v.number})` : ''} ${v.region_name || ''}`.trim(),
    }));
  }
  if (kind === 'team') {
    const res = await teamService.list({ page_size: 100 });
    return (res.items || []).map((t) => ({ id: t.id, label: `${t.name} ${t.region_name || ''}`.trim() }));
  }
  const res = await regionService.list({ level: 'village', page_size: regionService.MAX_PAGE_SIZE });
  return (res.items || []).map((r) => ({ id: r.id, label: r.name }));
}

Component({
  data: {
    types: [],
    typeIndex: -1,
    targets: [],
    targetIndex: -1,
    targetLabel: '',
    reason: '',
    periodLabel: '',
    errors: {},
    submitting: false,
  },

  methods: {
    async onLoad() {
      try {
        const res = await recognition.awardTypes({ active: true, page_size: 100 });
        this.setData({
          types: (res.items || []).map((t) => Object.assign({}, t, {
            label: `${t.name}（${t.tier_name},${t.points} 分）`,
          })),
        });
      } catch (e) {
        // request.js showed the reason.
      }
    },

    async onTypeChange(e) {
      const typeIndex = Number(e.detail.value);
      const type = this.data.types[typeIndex];
      this.setData({
        typeIndex,
        targets: [],
        targetIndex: -1,
        targetLabel: TARGET_LABELS[type.target_kind] || '',
        'errors.award_type_id': '',
      });
      try {
        this.setData({ targets: await candidates(type.target_kind) });
      } catch (err) {
        // request.js showed the reason.
      }
    },

    onTargetChange(e) {
      this.setData({ targetIndex: Number(e.detail.value), 'errors.target_id': '' });
    },

    onReasonInput(e) {
      this.setData({ reason: e.detail.value, 'errors.reason': '' });
    },

    onPeriodInput(e) {
      this.setData({ periodLabel: e.detail.value });
    },

    validate() {
      const errors = {};
      if (this.data.typeIndex < 0) errors.award_type_id = '请选择表彰类型';
      if (this.data.targetIndex < 0) errors.target_id = '请选择推荐对象';
      if (String(this.data.reason).trim().length < 5) errors.reason = '推荐理由至少 5 个字';
      this.setData({ errors });
      return Object.keys(errors).length === 0;
    },

    async onSubmit() {
      if (this.data.submitting || !this.validate()) return;
      const type = this.data.types[this.data.typeIndex];
      const target = this.data.targets[this.data.targetIndex];
      this.setData({ submitting: true });
      try {
        await recognition.nominate({
          award_type_id: type.id,
          target_id: target.id,
          reason: this.data.reason.trim(),
          period_label: this.data.periodLabel.trim(),
        });
        wx.showToast({ title: '推荐已提交', icon: 'success' });
        wx.navigateBack();
      } catch (err) {
        const fieldErrors = (err && err.errors) || {};
        const errors = {};
        Object.keys(fieldErrors).forEach((key) => {
          errors[key] = [].concat(fieldErrors[key]).join(';');
        });
        this.setData({ errors });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
