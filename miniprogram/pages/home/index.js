const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { MECHANISMS } = require('../../utils/constants');
const { refreshUnreadBadge } = require('../../utils/badge');
const { HOME_ENTRIES, homeEntries } = require('../../utils/entries');

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
    entries: HOME_ENTRIES,
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
          entries: homeEntries(me),
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
