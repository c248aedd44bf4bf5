const volunteerService = require('../../../../../services/volunteer');
const { VOLUNTEER_STATUS } = require('../../../../../utils/constants');
const { formatDateTime, maskPhone } = require('../../../../../utils/format');

// 3609**********0012: shown until the admin asks for the full number (who looks over the
// admin's shoulder, or at a screenshot, does not get it).
function maskId(id) {
  const s = String(id || '');
  if (!s || s.includes('*') || s.length < 8) return s;
  return `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
}

// Which decisions each status allows, and whether they need a reason.
const ACTIONS = {
  pending: ['approve', 'reject'],
  approved: ['suspend'],
  suspended: ['approve'],
  rejected: [],
};

const ACTION_LABELS = {
  approve: '通过',
  reject: '驳回',
  suspend: '暂停',
};

function present(v) {
  const team = v.team_name || (v.team && v.team.name) || '';
  return {
    volunteer: v,
    phoneMasked: maskPhone(v.phone),
    idMasked: maskId(v.id_number),
    revealed: false,
    statusText: VOLUNTEER_STATUS[v.status] || v.status,
    villageText: v.village_name || v.region_name || '',
    teamText: team,
    skillsText: (v.skills || []).join('、'),
    appliedText: formatDateTime(v.created_at || v.applied_at),
    reasonText: v.decision_reason || v.reason || '',
    actions: ACTIONS[v.status] || [],
    approveLabel: v.status === 'suspended' ? '恢复资格' : '通过',
  };
}

Component({
  data: {
    id: null,
    volunteer: null,
    phoneMasked: '',
    idMasked: '',
    revealed: false,
    statusText: '',
    villageText: '',
    teamText: '',
    skillsText: '',
    appliedText: '',
    reasonText: '',
    actions: [],
    approveLabel: '通过',
    reason: '',
    reasonError: '',
    loading: false,
    submitting: false,
  },

  methods: {
    onLoad(options) {
      const id = options && options.id;
      this.setData({ id });
      if (id) this.load();
    },

    onReveal() {
      this.setData({ revealed: true });
    },

    async load() {
      this.setData({ loading: true });
      try {
        const v = await volunteerService.get(this.data.id);
        this.setData(present(v));
      } catch (e) {
        // request.js showed the reason (404 when outside the admin's scope).
      } finally {
        this.setData({ loading: false });
      }
    },

    onReasonInput(e) {
      this.setData({ reason: e.detail.value, reasonError: '' });
    },

    onActionTap(e) {
      const { action } = e.currentTarget.dataset;
      const reason = this.data.reason.trim();
      if ((action === 'reject' || action === 'suspend') && !reason) {
        this.setData({ reasonError: `请填写${ACTION_LABELS[action]}原因` });
        return;
      }
      const name = this.data.volunteer ? this.data.volunteer.real_name : '';
      const label = action === 'approve' ? this.data.approveLabel : ACTION_LABELS[action];
      wx.showModal({
        title: `确认${label}`,
        content: `确定${label}${name}的志愿者申请吗？`,
        success: (res) => {
          if (res.confirm) this.decide(action, reason);
        },
      });
    },

    async decide(action, reason) {
      if (this.data.submitting) return;
      this.setData({ submitting: true });
      try {
        const v = await volunteerService[action](this.data.id, reason);
        this.setData(Object.assign(present(v), { reason: '' }));
        wx.showToast({ title: '操作成功', icon: 'success' });
      } catch (e) {
        // request.js showed the reason (e.g. 409 when someone else decided first).
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
