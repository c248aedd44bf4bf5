const { tagTheme } = require('../../../utils/tags');
const activityService = require('../../../services/activity');
const { presentActivity, enrollmentStatusText, hoursText } = require('../../../utils/activity');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'upcoming', label: '未开始/进行中' },
  { key: 'past', label: '已结束' },
  { key: 'all', label: '全部' },
];

function present(entry) {
  const a = entry.attendance;
  return {
    id: entry.id,
    status: entry.status,
    statusText: enrollmentStatusText(entry.status),
    statusTheme: tagTheme(entry.status),
    activity: presentActivity(entry.activity),
    attendanceText: a
      ? (a.checkout_at
        ? `服务 ${hoursText(a.served_minutes)} · ${a.points} 积分${a.auto_checkout ? '（自动签退）' : ''}`
        : '已签到，活动结束前请扫码签退')
      : '',
  };
}

Component({
  behaviors: [pagedList],

  data: { tabs: TABS, tab: 'upcoming', pageSize: PAGE_SIZE },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onShow() {
      if (this._loadedOnce) this.loadPage(1);
    },

    onTabChange(e) {
      return this.onTabTap({ currentTarget: { dataset: { key: e.detail.value } } });
    },

    onTabTap(e) {
      const { key } = e.currentTarget.dataset;
      if (key === this.data.tab) return;
      this.reload({ tab: key });
    },

    fetchPage(page, pageSize) {
      return activityService.myActivities({ when: this.data.tab, page, page_size: pageSize });
    },

    presentItem: present,

    pagedKey() {
      return this.data.tab;
    },

    onItemTap(e) {
      wx.navigateTo({ url: `/pages/activity/detail/index?id=${e.currentTarget.dataset.id}` });
    },

    onHoursTap() {
      wx.navigateTo({ url: '/pages/activity/hours/index' });
    },
  },
});
