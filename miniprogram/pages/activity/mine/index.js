const activityService = require('../../../services/activity');
const { presentActivity, enrollmentStatusText, hoursText } = require('../../../utils/activity');

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
    activity: presentActivity(entry.activity),
    attendanceText: a
      ? (a.checkout_at
        ? `服务 ${hoursText(a.served_minutes)} · ${a.points} 积分${a.auto_checkout ? '(自动签退)' : ''}`
        : '已签到,活动结束前请扫码签退')
      : '',
  };
}

Component({
  data: { tabs: TABS, tab: 'upcoming', items: [], page: 0, total: 0, loading: false, finished: false },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    onShow() {
      if (this._loaded) this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    onTabTap(e) {
      const { key } = e.currentTarget.dataset;
      if (key === this.data.tab) return;
      this.setData({ tab: key, items: [], page: 0, finished: false });
      this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const tab = this.data.tab;
      this.setData({ loading: true });
      try {
        const res = await activityService.myActivities({ when: tab, page, page_size: PAGE_SIZE });
        if (tab !== this.data.tab) return;
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        this.setData({
          items,
          page,
          total: res.total || 0,
          finished: items.length >= (res.total || 0) || fresh.length < PAGE_SIZE,
        });
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this._loaded = true;
        this.setData({ loading: false });
      }
    },

    onItemTap(e) {
      wx.navigateTo({ url: `/pages/activity/detail/index?id=${e.currentTarget.dataset.id}` });
    },

    onHoursTap() {
      wx.navigateTo({ url: '/pages/activity/hours/index' });
    },
  },
});
