const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { maskPhone, volunteerStatusLabel } = require('../../utils/format');
const { isStaff, HUB_URL, identityText } = require('../../utils/entries');
const { tagTheme } = require('../../utils/tags');
const { getEnvVersion } = require('../../config/env');
const privacy = require('../../utils/privacy');


function present(me) {
  const v = me.volunteer;
  return {
    me,
    nickname: me.nickname || '微信用户',
    phoneText: me.phone ? maskPhone(me.phone) : '',
    rolesText: identityText(me),
    volunteerStatus: v ? v.status : '',
    volunteerTheme: v ? tagTheme(v.status) : 'default',
    isVolunteer: Boolean(v && v.status === 'approved'),
    volunteerStatusText: v ? volunteerStatusLabel(v.status) : '未申请',
    volunteerNumber: (v && v.number) || '',
    canApply: !v || v.status === 'rejected',
    isAdmin: Boolean(me.is_admin),
    isStaff: isStaff(me),
    points: me.points || 0,
    serviceHours: me.service_hours || 0,
    starText: me.star_level ? '★'.repeat(me.star_level) : '',
    consentRequired: Boolean(me.consent_required),
    noticeVersion: me.privacy_notice_version || '',
    consentVersion: me.consent_version || '',
  };
}

const EMPTY = {
  me: null,
  nickname: '',
  phoneText: '',
  rolesText: '',
  volunteerStatus: '',
  volunteerStatusText: '',
  volunteerNumber: '',
  canApply: false,
  isAdmin: false,
  isStaff: false,
  points: 0,
  serviceHours: 0,
  starText: '',
  consentRequired: false,
  noticeVersion: '',
  consentVersion: '',
};

Component({
  data: Object.assign({ loading: false, loggedIn: false, devTools: false }, EMPTY),

  methods: {
    onShow() {
      // 开发设置 (the API host for a phone on the LAN) exists in develop and trial builds only.
      this.setData({ devTools: getEnvVersion() !== 'release' });
      this.refresh();
    },

    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    async refresh() {
      this.setData({ loading: true });
      try {
        await auth.ensureLogin();
        const me = await userService.getMe();
        auth.setUser(me);
        this.setData(Object.assign({ loggedIn: true }, present(me)));
      } catch (e) {
        this.setData(Object.assign({ loggedIn: false }, EMPTY));
      } finally {
        this.setData({ loading: false });
      }
    },

    onLoginTap() {
      this.refresh();
    },

    // The 《隐私保护指引》 as registered with WeChat, opened by WeChat itself.
    onShowPrivacy() {
      privacy.openContract();
    },

    async onAcceptConsent() {
      const version = this.data.noticeVersion;
      if (!version) return;
      try {
        await userService.acceptConsent(version);
        this.setData({ consentRequired: false, consentVersion: version });
        wx.showToast({ title: '已同意隐私保护指引', icon: 'success' });
      } catch (e) {
        // request.js already showed the reason.
      }
    },

    async onGetPhoneNumber(e) {
      const code = e && e.detail && e.detail.code;
      if (!code) {
        wx.showToast({ title: '未获得手机号授权', icon: 'none' });
        return;
      }
      try {
        const user = await userService.bindPhone(code);
        const phone = (user && user.phone) || '';
        this.setData({ phoneText: maskPhone(phone), 'me.phone': phone });
        wx.showToast({ title: '手机号已绑定', icon: 'success' });
      } catch (err) {
        // request.js already showed the reason.
      }
    },

    onEditNickname() {
      wx.showModal({
        title: '修改昵称',
        editable: true,
        placeholderText: '请输入昵称',
        content: this.data.nickname,
        success: async (res) => {
          const nickname = res.confirm ? String(res.content || '').trim() : '';
          if (!nickname || nickname === this.data.nickname) return;
          try {
            const me = await userService.updateMe({ nickname });
            this.setData({ nickname: (me && me.nickname) || nickname });
          } catch (err) {
            // request.js already showed the reason (e.g. content check).
          }
        },
      });
    },

    onApplyTap() {
      wx.navigateTo({ url: '/pages/volunteer/apply/index' });
    },

    onMyActivitiesTap() {
      wx.navigateTo({ url: '/pages/activity/mine/index' });
    },

    onMyHoursTap() {
      wx.navigateTo({ url: '/pages/activity/hours/index' });
    },

    onManageActivitiesTap() {
      wx.navigateTo({ url: '/subpackages/admin/pages/activities/list/index' });
    },

    onNavTap(e) {
      const { url } = e.currentTarget.dataset;
      if (url) wx.navigateTo({ url });
    },

    onHubTap() {
      wx.navigateTo({ url: HUB_URL });
    },

    onAdminTap() {
      wx.navigateTo({ url: '/subpackages/admin/pages/volunteers/list/index' });
    },

    onDeleteAccount() {
      wx.showModal({
        title: '注销账号',
        content: '注销后，您的姓名、手机号、身份证号等个人信息将被删除且无法恢复，志愿服务记录将匿名保留。确定注销吗？',
        confirmText: '确认注销',
        confirmColor: '#AD352F',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await userService.deleteMe();
            auth.logout();
            this.setData(Object.assign({ loggedIn: false }, EMPTY));
            wx.showToast({ title: '账号已注销', icon: 'success' });
          } catch (err) {
            // request.js already showed the reason.
          }
        },
      });
    },
  },
});
