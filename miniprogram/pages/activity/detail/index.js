const activityService = require('../../../services/activity');
const auth = require('../../../utils/auth');
const { askFromTap, prefetchTemplates } = require('../../../utils/subscribe');
const { presentActivity, enrollmentStatusText, hoursText } = require('../../../utils/activity');
const { formatDateTime } = require('../../../utils/format');
const share = require('../../../utils/share');

const SUBSCRIBE_KINDS = ['enrollment_result', 'activity_reminder', 'waitlist_promotion'];

function presentMine(mine) {
  if (!mine) return null;
  const a = mine.attendance;
  return Object.assign({}, mine, {
    statusText: enrollmentStatusText(mine.status),
    positionText: mine.waitlist_position ? `候补第 ${mine.waitlist_position} 位` : '',
    checkinText: a ? formatDateTime(a.checkin_at) : '',
    checkoutText: a && a.checkout_at ? formatDateTime(a.checkout_at) : '',
    servedText: a && a.checkout_at ? hoursText(a.served_minutes) : '',
    points: a ? a.points : 0,
  });
}

// What the volunteer can do now.
function actionsFor(activity, mine) {
  const active = mine && (mine.status === 'enrolled' || mine.status === 'waitlisted');
  const enrolling = activity.phase === 'enrolling';
  const onSite = activity.phase === 'upcoming' || activity.phase === 'ongoing' || enrolling;
  return {
    canEnroll: enrolling && !active && !(mine && mine.status === 'removed')
      && (!activity.is_full || activity.waitlist_enabled),
    enrollText: activity.is_full ? '加入候补' : '立即报名',
    canCancel: enrolling && Boolean(active),
    canScan: onSite && Boolean(mine) && (mine.status === 'enrolled' || mine.status === 'no_show'),
  };
}

Component({
  data: {
    id: '',
    activity: null,
    mine: null,
    markers: [],
    canEnroll: false,
    enrollText: '立即报名',
    canCancel: false,
    canScan: false,
    loading: false,
    busy: false,
    notFound: false,
    singlePage: false,
  },

  methods: {
    onLoad(options) {
      this.setData({ id: (options && options.id) || '', singlePage: share.isSinglePage() });
      share.enable();
      if (!this.data.singlePage) prefetchTemplates();
      this.refresh();
    },

    // 转发: the shared card opens this activity, for anyone, without logging in first.
    onShareAppMessage() {
      const a = this.data.activity;
      const title = a ? `${a.title}（${a.timeText}）招募平安志愿者` : '平安志愿活动';
      return share.toChat(title, '/pages/activity/detail/index', { id: this.data.id });
    },

    onShareTimeline() {
      const a = this.data.activity;
      return share.toTimeline(a ? `${a.title} · ${a.timeText}` : '平安志愿活动', { id: this.data.id });
    },

    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    async refresh() {
      if (!this.data.id) return;
      this.setData({ loading: true, error: '' });
      try {
        const raw = await activityService.get(this.data.id, { silent: true });
        const activity = presentActivity(raw);
        const mine = presentMine(raw.my_enrollment);
        this.setData(Object.assign({
          activity,
          mine,
          notFound: false,
          markers: [{
            id: 1,
            latitude: raw.latitude,
            longitude: raw.longitude,
            title: raw.place_name,
            width: 28,
            height: 36,
          }],
        }, actionsFor(activity, mine)));
      } catch (e) {
        if (e && e.statusCode === 404) this.setData({ notFound: true, activity: null });
        else this.setData({ error: (e && e.message) || '加载失败，请稍后重试' });
      } finally {
        this.setData({ loading: false });
      }
    },

    // The tap on 立即报名: an approved volunteer is asked for the result and reminder notices
    // while the tap is fresh (the first wx call); the enrollment follows whatever the answer.
    onEnroll() {
      if (this.data.busy) return;
      const user = auth.getUser();
      const volunteer = user && user.volunteer;
      const asked = volunteer && volunteer.status === 'approved'
        ? askFromTap(SUBSCRIBE_KINDS)
        : Promise.resolve({ accepted: [] });
      this.setData({ busy: true });
      return asked.then(() => this.enroll());
    },

    async enroll() {
      try {
        await auth.ensureLogin();
        const result = await activityService.enroll(this.data.id);
        wx.showToast({
          title: result.status === 'waitlisted' ? `已进入候补第${result.waitlist_position}位` : '报名成功',
          icon: result.status === 'waitlisted' ? 'none' : 'success',
        });
        await this.refresh();
      } catch (e) {
        // request.js showed the reason (full, time conflict, not a volunteer …).
        if (e && e.code === 'volunteer_required') {
          wx.showModal({
            title: '需要先成为志愿者',
            content: '报名参加活动需要先申请成为平安志愿者并通过审核。',
            confirmText: '去申请',
            success: (res) => {
              if (res.confirm) wx.navigateTo({ url: '/pages/volunteer/apply/index' });
            },
          });
        }
      } finally {
        this.setData({ busy: false });
      }
    },

    onCancelEnrollment() {
      wx.showModal({
        title: '取消报名',
        content: '确定取消报名吗？名额将让给候补的志愿者。',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await activityService.cancelEnrollment(this.data.id);
            wx.showToast({ title: '已取消报名', icon: 'success' });
            await this.refresh();
          } catch (e) {
            // request.js showed the reason (deadline passed …).
          }
        },
      });
    },

    onScan() {
      wx.navigateTo({ url: `/pages/activity/scan/index?id=${this.data.id}` });
    },

    onOpenMap() {
      const a = this.data.activity;
      if (!a) return;
      wx.openLocation({ latitude: a.latitude, longitude: a.longitude, name: a.place_name, scale: 16 });
    },

    onManage() {
      wx.navigateTo({ url: `/subpackages/admin/pages/activities/edit/index?id=${this.data.id}` });
    },
  },
});
