const privacy = require('../../../utils/privacy');
const auth = require('../../../utils/auth');
const userService = require('../../../services/user');
const regionService = require('../../../services/region');
const teamService = require('../../../services/team');
const volunteerService = require('../../../services/volunteer');
const { VOLUNTEER_SKILLS, VOLUNTEER_STATUS } = require('../../../utils/constants');
const { isValidIdNumber, isValidPhone, isValidRealName } = require('../../../utils/validators');
const { fieldErrors } = require('../../../utils/errors');
const { askFromTap, prefetchTemplates } = require('../../../utils/subscribe');

const NO_TEAM = { id: null, name: '暂不加入服务队' };

function skillOptions(selected) {
  return VOLUNTEER_SKILLS.map((name) => ({ name, checked: selected.indexOf(name) !== -1 }));
}

// Client-side checks; keys are the API's field names so server errors land in the same place.
function validate(form, village, skills) {
  const errors = {};
  if (!isValidRealName(form.real_name)) errors.real_name = '请填写真实姓名（2-20个字）';
  if (!isValidPhone(form.phone)) errors.phone = '请填写正确的11位手机号';
  if (!isValidIdNumber(form.id_number)) errors.id_number = '身份证号码有误，请核对（18位，末位校验码）';
  if (!village) errors.village_id = '请选择所在村（社区）';
  if (!skills.length) errors.skills = '请至少选择一项服务技能';
  if (!String(form.availability || '').trim()) errors.availability = '请填写可服务时间';
  return errors;
}

Component({
  data: {
    form: {
      real_name: '',
      phone: '',
      id_number: '',
      availability: '',
      intro: '',
    },
    townships: [],
    townshipIndex: -1,
    villages: [],
    villageIndex: -1,
    teams: [NO_TEAM],
    teamIndex: 0,
    skillOptions: skillOptions([]),
    skills: [],
    errors: {},
    consentRequired: false,
    noticeVersion: '',
    agreed: false,
    existingStatus: '',
    existingStatusText: '',
    submitting: false,
  },

  methods: {
    onLoad() {
      prefetchTemplates();
      this.init();
    },

    async init() {
      try {
        await auth.ensureLogin();
      } catch (e) {
        return;
      }
      await Promise.all([this.loadProfile(), this.loadTownships()]);
    },

    async loadProfile() {
      try {
        const me = await userService.getMe({ silent: true });
        const status = me.volunteer ? me.volunteer.status : '';
        const update = {
          consentRequired: Boolean(me.consent_required),
          noticeVersion: me.privacy_notice_version || '',
        };
        // A rejected applicant may apply again; pending/approved/suspended may not.
        if (status && status !== 'rejected') {
          update.existingStatus = status;
          update.existingStatusText = VOLUNTEER_STATUS[status] || status;
        }
        if (me.phone && !String(me.phone).includes('*') && !this.data.form.phone) {
          update['form.phone'] = me.phone;
        }
        this.setData(update);
      } catch (e) {
        // The form still works; the server checks everything on submit.
      }
    },

    async loadTownships() {
      try {
        const townships = await regionService.listTownships();
        this.setData({ townships });
      } catch (e) {
        // request.js showed the reason.
      }
    },

    onInput(e) {
      const { field } = e.currentTarget.dataset;
      this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
    },

    async onTownshipChange(e) {
      const townshipIndex = Number(e.detail.value);
      const township = this.data.townships[townshipIndex];
      this.setData({
        townshipIndex,
        villages: [],
        villageIndex: -1,
        teams: [NO_TEAM],
        teamIndex: 0,
      });
      if (!township) return;
      try {
        const villages = await regionService.listVillages(township.id);
        this.setData({ villages });
      } catch (err) {
        // request.js showed the reason.
      }
    },

    async onVillageChange(e) {
      const villageIndex = Number(e.detail.value);
      const village = this.data.villages[villageIndex];
      this.setData({ villageIndex, teams: [NO_TEAM], teamIndex: 0, 'errors.village_id': '' });
      if (!village) return;
      try {
        const res = await teamService.list({ region_id: village.id, page_size: 100 }, { silent: true });
        this.setData({ teams: [NO_TEAM].concat(res.items || []) });
      } catch (err) {
        // Teams are optional; without them the form still submits.
      }
    },

    onTeamChange(e) {
      this.setData({ teamIndex: Number(e.detail.value) });
    },

    onSkillsChange(e) {
      const skills = e.detail.value || [];
      this.setData({ skills, skillOptions: skillOptions(skills), 'errors.skills': '' });
    },

    onAgreeChange(e) {
      const values = e.detail.value || [];
      this.setData({ agreed: values.length > 0 });
    },

    buildPayload() {
      const { form, villages, villageIndex, teams, teamIndex, skills } = this.data;
      const payload = {
        real_name: form.real_name.trim(),
        phone: form.phone.trim(),
        id_number: form.id_number.trim().toUpperCase(),
        village_id: villages[villageIndex].id,
        skills,
        availability: form.availability.trim(),
      };
      const team = teams[teamIndex];
      if (team && team.id) payload.team_id = team.id;
      if (form.intro && form.intro.trim()) payload.intro = form.intro.trim();
      return payload;
    },

    // 《隐私保护指引》 in the consent line opens the guide itself.
    onPrivacyTap() {
      privacy.openContract();
    },

    // The tap on 提交申请: check the form, ask for the review-result notice while the tap is
    // fresh (the first wx call), then send the application whatever the answer.
    onSubmit() {
      if (this.data.submitting) return;
      const { form, villages, villageIndex, skills } = this.data;
      const errors = validate(form, villages[villageIndex], skills);
      if (Object.keys(errors).length) {
        this.setData({ errors });
        wx.showToast({ title: '请检查填写内容', icon: 'none' });
        return;
      }
      if (this.data.consentRequired && !this.data.agreed) {
        wx.showToast({ title: '请先阅读并同意隐私保护指引', icon: 'none' });
        return;
      }
      const asked = askFromTap(['volunteer_review']);
      this.setData({ submitting: true, errors: {} });
      return asked.then(() => this.submit());
    },

    async submit() {
      try {
        if (this.data.consentRequired) {
          await userService.acceptConsent(this.data.noticeVersion);
          this.setData({ consentRequired: false });
        }
        await volunteerService.apply(this.buildPayload());
        this.setData({ existingStatus: 'pending', existingStatusText: VOLUNTEER_STATUS.pending });
        wx.showToast({ title: '申请已提交', icon: 'success' });
      } catch (e) {
        if (e && e.statusCode === 422) this.setData({ errors: fieldErrors(e) });
      } finally {
        this.setData({ submitting: false });
      }
    },

    onBack() {
      wx.navigateBack({ fail: () => wx.switchTab({ url: '/pages/mine/index' }) });
    },
  },
});
