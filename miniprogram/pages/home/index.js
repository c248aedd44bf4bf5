// 首页: what this person does here, first.
//  * an admin sees their pending approvals with counts;
//  * a grid worker / auxiliary police officer sees today's work orders and the overdue ones;
//  * a volunteer sees the next enrolled activity with its countdown and a one-tap scan, and
//    their hours, points and star level;
//  * everybody can report a problem and sees their open requests.
// The quick entries never repeat a tab and never offer what the person already has.
const auth = require('../../utils/auth');
const userService = require('../../services/user');
const activityService = require('../../services/activity');
const requestService = require('../../services/service_request');
const volunteerService = require('../../services/volunteer');
const fundService = require('../../services/fund');
const recognitionService = require('../../services/recognition');
const { refreshUnreadBadge } = require('../../utils/badge');
const { present: presentRequest } = require('../../utils/service_request');
const { presentActivity } = require('../../utils/activity');
const { STAR_NAMES } = require('../../utils/constants');
const {
  homeEntries, identityText, isAdmin, isHandler, isVolunteer,
} = require('../../utils/entries');

const QUEUE = '/subpackages/admin/pages/requests/queue/index';
const OPEN_STATUSES = ['submitted', 'assigned', 'in_progress', 'reopened', 'resolved'];

// "还有 2 天 3 小时开始" / "还有 25 分钟开始" / "进行中" for an activity.
function countdownText(activity, now) {
  const start = Date.parse(activity.start_at);
  const end = Date.parse(activity.end_at);
  if (Number.isNaN(start)) return '';
  if (now >= start && now < end) return '进行中';
  if (now >= end) return '已结束';
  const minutes = Math.ceil((start - now) / 60000);
  if (minutes < 60) return `还有 ${minutes} 分钟开始`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `还有 ${hours} 小时 ${minutes % 60} 分钟开始`;
  return `还有 ${Math.floor(hours / 24)} 天 ${hours % 24} 小时开始`;
}

// Check-in opens `checkin_open_minutes` before the start (30 by default) until the end.
function canCheckInNow(activity, now) {
  const start = Date.parse(activity.start_at);
  const end = Date.parse(activity.end_at);
  const open = (activity.checkin_open_minutes || 30) * 60000;
  return now >= start - open && now < end;
}

const total = (promise) => promise.then((body) => (body && body.total) || 0).catch(() => null);

Component({
  data: {
    loading: true,
    me: null,
    nickname: '',
    identity: '',
    greeting: '',
    volunteerState: '', // '', pending, approved, rejected, suspended
    entries: [],
    showAdmin: false,
    approvals: [],
    showHandler: false,
    workOrders: [],
    showVolunteer: false,
    stats: null,
    next: null,
    myRequests: [],
    myOpenCount: 0,
  },

  methods: {
    onLoad() {
      this.refresh();
    },

    onShow() {
      // Status and counts change while the user is elsewhere.
      if (this._loadedOnce) this.refresh();
      this.tick();
    },

    onHide() {
      this.stopTick();
    },

    onUnload() {
      this.stopTick();
    },

    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    async refresh() {
      this.setData({ loading: !this._loadedOnce });
      let me;
      try {
        await auth.ensureLogin({ silent: true });
        me = await userService.getMe({ silent: true });
        auth.setUser(me);
      } catch (e) {
        this.setData({ loading: false, me: null, entries: homeEntries(null), identity: '', nickname: '' });
        this._loadedOnce = true;
        return;
      }
      refreshUnreadBadge(); // the 消息 tab shows unread notices from the first screen on
      const showAdmin = isAdmin(me);
      const showHandler = isHandler(me);
      const showVolunteer = isVolunteer(me);
      this.setData({
        me,
        nickname: me.nickname || '微信用户',
        identity: identityText(me),
        greeting: greeting(new Date()),
        volunteerState: (me.volunteer && me.volunteer.status) || '',
        entries: homeEntries(me),
        showAdmin,
        showHandler,
        showVolunteer,
        stats: showVolunteer ? {
          hours: me.service_hours || 0,
          points: me.points || 0,
          star: me.star_level ? '★'.repeat(me.star_level) : '',
          starName: STAR_NAMES[me.star_level || 0],
        } : null,
      });
      await Promise.all([
        showAdmin ? this.loadApprovals() : null,
        showHandler ? this.loadWorkOrders() : null,
        showVolunteer ? this.loadNext() : null,
        this.loadMyRequests(),
      ]);
      this._loadedOnce = true;
      this.setData({ loading: false });
    },

    async loadApprovals() {
      const silent = { silent: true };
      const [volunteers, expenses, nominations, overdue] = await Promise.all([
        total(volunteerService.list({ status: 'pending', page_size: 1 }, silent)),
        total(fundService.listExpenses({ actionable: true, page_size: 1 }, silent)),
        total(recognitionService.nominations({ actionable: true, page_size: 1 }, silent)),
        total(requestService.list({ overdue: true, page_size: 1 }, silent)),
      ]);
      const approvals = [
        { key: 'volunteers', label: '志愿者待审核', count: volunteers, url: '/subpackages/admin/pages/volunteers/list/index' },
        { key: 'expenses', label: '支出待审批', count: expenses, url: '/subpackages/admin/pages/funds/approvals/index' },
        { key: 'nominations', label: '表彰待审批', count: nominations, url: '/subpackages/admin/pages/nominations/list/index' },
        { key: 'overdue', label: '超时工单', count: overdue, url: `${QUEUE}?tab=overdue` },
      ].filter((a) => a.count !== null);
      this.setData({ approvals });
    },

    async loadWorkOrders() {
      const silent = { silent: true };
      const [todo, mine, overdue] = await Promise.all([
        total(requestService.list({ status: 'submitted', page_size: 1 }, silent)),
        total(requestService.list({ scope: 'assigned', page_size: 1 }, silent)),
        total(requestService.list({ overdue: true, page_size: 1 }, silent)),
      ]);
      this.setData({
        workOrders: [
          { key: 'todo', label: '待受理', count: todo, url: `${QUEUE}?tab=todo` },
          { key: 'mine', label: '指派给我', count: mine, url: `${QUEUE}?tab=mine` },
          { key: 'overdue', label: '已超时', count: overdue, url: `${QUEUE}?tab=overdue`, alert: overdue > 0 },
        ].filter((w) => w.count !== null),
      });
    },

    async loadNext() {
      try {
        const body = await activityService.myActivities({ when: 'upcoming', status: 'enrolled', page_size: 5 }, { silent: true });
        const now = Date.now();
        const upcoming = ((body && body.items) || [])
          .map((e) => e.activity)
          .filter((a) => a && Date.parse(a.end_at) > now)
          .sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
        const activity = upcoming[0] ? presentActivity(upcoming[0]) : null;
        this.setData({
          next: activity ? Object.assign(activity, {
            countdown: countdownText(activity, now),
            canScan: canCheckInNow(activity, now),
          }) : null,
        });
      } catch (e) {
        this.setData({ next: null });
      }
    },

    async loadMyRequests() {
      try {
        const body = await requestService.list({ scope: 'mine', page_size: 10 }, { silent: true });
        const open = ((body && body.items) || []).filter((r) => OPEN_STATUSES.includes(r.status));
        this.setData({ myRequests: open.slice(0, 3).map(presentRequest), myOpenCount: open.length });
      } catch (e) {
        this.setData({ myRequests: [], myOpenCount: 0 });
      }
    },

    // The countdown moves while the page is on screen.
    tick() {
      this.stopTick();
      this._timer = setInterval(() => {
        const next = this.data.next;
        if (!next) return;
        const now = Date.now();
        this.setData({ 'next.countdown': countdownText(next, now), 'next.canScan': canCheckInNow(next, now) });
      }, 30000);
    },

    stopTick() {
      if (this._timer) clearInterval(this._timer);
      this._timer = null;
    },

    onEntryTap(e) {
      const { url, tab } = e.currentTarget.dataset;
      if (!url) return;
      if (tab) wx.switchTab({ url });
      else wx.navigateTo({ url });
    },

    onNextTap() {
      wx.navigateTo({ url: `/pages/activity/detail/index?id=${this.data.next.id}` });
    },

    onScanTap() {
      wx.navigateTo({ url: `/pages/activity/scan/index?id=${this.data.next.id}` });
    },

    onFindActivities() {
      wx.switchTab({ url: '/pages/activity/list/index' });
    },

    onReportTap() {
      wx.navigateTo({ url: '/pages/service/submit/index' });
    },

    onRequestTap(e) {
      wx.navigateTo({ url: `/pages/service/detail/index?id=${e.currentTarget.dataset.id}` });
    },

    onApplyTap() {
      wx.navigateTo({ url: '/pages/volunteer/apply/index' });
    },

    onLoginTap() {
      this.refresh();
    },
  },
});

function greeting(now) {
  const hour = (now.getUTCHours() + 8) % 24; // China time whatever the phone's zone
  if (hour < 6) return '夜深了';
  if (hour < 11) return '早上好';
  if (hour < 13) return '中午好';
  if (hour < 18) return '下午好';
  return '晚上好';
}
