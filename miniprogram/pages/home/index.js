const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { MECHANISMS } = require('../../utils/constants');
const { refreshUnreadBadge } = require('../../utils/badge');

const BASE_ENTRIES = [
  { key: 'apply', icon: '志', label: '志愿者申请', url: '/pages/volunteer/apply/index', tab: false },
  { key: 'activity', icon: '活', label: '志愿活动', url: '/pages/activity/list/index', tab: true },
  { key: 'funds', icon: '经', label: '经费公示', url: '/pages/fund/list/index', tab: false },
  { key: 'message', icon: '信', label: '我的消息', url: '/pages/message/index', tab: true },
  { key: 'mine', icon: '我', label: '个人中心', url: '/pages/mine/index', tab: true },
];

const ADMIN_ENTRY = {
  key: 'review',
  icon: '审',
  label: '志愿者审核',
  url: '/subpackages/admin/pages/volunteers/list/index',
  tab: false,
};

// One line about where the user stands as a volunteer.
function volunteerLine(me) {
  const v = me && me.volunteer;
  if (!v) return { text: '您还不是平安志愿者,立即申请加入', action: 'apply' };
  switch (v.status) {
    case 'pending':
      return { text: '志愿者申请审核中,请耐心等待', action: '' };
    case 'approved':
      return { text: `平安志愿者${v.number ? ` · 编号 ${v.number}` : ''}`, action: '' };
    case 'rejected':
      return { text: '志愿者申请未通过,可修改后重新申请', action: 'apply' };
    case 'suspended':
      return { text: '志愿者资格已暂停,请联系所在村(居)', action: '' };
    default:
      return { text: '', action: '' };
  }
}

Component({
  data: {
    bannerTitle: '平安综治大联盟',
    bannerSubtitle: '共建共治共享 · 小事不出村、大事不出乡镇',
    mechanisms: MECHANISMS,
    entries: BASE_ENTRIES,
    me: null,
    volunteerText: '',
    volunteerAction: '',
    loading: false,
  },

  methods: {
    onLoad() {
      this.refresh();
    },

    onShow() {
      // Status may change after applying or after an admin decision.
      if (this._loadedOnce) this.refresh();
    },

    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    async refresh() {
      this.setData({ loading: true });
      try {
        await auth.ensureLogin({ silent: true });
        const me = await userService.getMe({ silent: true });
        refreshUnreadBadge(); // the 消息 tab shows unread notices from the first screen on
        const line = volunteerLine(me);
        this.setData({
          me,
          volunteerText: line.text,
          volunteerAction: line.action,
          entries: me && me.is_admin ? BASE_ENTRIES.concat(ADMIN_ENTRY) : BASE_ENTRIES,
        });
      } catch (e) {
        this.setData({ volunteerText: '登录后查看志愿者状态', volunteerAction: '' });
      } finally {
        this._loadedOnce = true;
        this.setData({ loading: false });
      }
    },

    onEntryTap(e) {
      const { url, tab } = e.currentTarget.dataset;
      if (tab) wx.switchTab({ url });
      else wx.navigateTo({ url });
    },

    onVolunteerTap() {
      if (this.data.volunteerAction === 'apply') {
        wx.navigateTo({ url: '/pages/volunteer/apply/index' });
      }
    },
  },
});
