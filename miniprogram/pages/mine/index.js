const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { maskPhone, volunteerStatusLabel, roleLabel } = require('../../utils/format');
const { isStaff, HUB_URL } = require('../../utils/entries');

const PRIVACY_SUMMARY = '为开展平安志愿服务,我们会收集您的昵称、手机号;申请成为志愿者时还会收集姓名、身份证号、'
  + '所在村(居)和服务技能。身份证号和手机号加密保存,仅您本人和有权限的管理员可查看完整信息。'
  + '您可以随时在“我的”页面注销账号,注销后个人信息将被删除,服务记录匿名保留。';

function present(me) {
  const v = me.volunteer;
  const roles = (me.roles || []).filter((r) => r.role !== 'resident');
  return {
    me,
    nickname: me.nickname || '微信用户',
    phoneText: me.phone ? maskPhone(me.phone) : '',
    rolesText: roles.length ? roles.map(roleLabel).join('、') : '居民',
    volunteerStatus: v ? v.status : '',
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
  data: Object.assign({ loading: false, loggedIn: false }, EMPTY),

  methods: {
    onShow() {
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

    onShowPrivacy() {
      wx.showModal({
        title: `隐私保护指引 ${this.data.noticeVersion}`,
        content: PRIVACY_SUMMARY,
        showCancel: false,
        confirmText: '我知道了',
      });
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
        content: '注销后,您的姓名、手机号、身份证号等个人信息将被删除且无法恢复,志愿服务记录将匿名保留。确定注销吗?',
        confirmText: '确认注销',
        confirmColor: '#E34D59',
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
