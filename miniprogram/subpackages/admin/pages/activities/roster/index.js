// The organiser's roster: who is enrolled or waitlisted, who checked in; 代签, manual check-out,
// hours corrections and removals (each with a reason), and csv/xlsx exports.
const activityService = require('../../../../../services/activity');
const { ENROLLMENT_STATUS_LABELS } = require('../../../../../utils/constants');
const { formatDateTime } = require('../../../../../utils/format');
const { hoursText } = require('../../../../../utils/activity');
const pagedList = require('../../../../../behaviors/paged-list');

const PAGE_SIZE = 50;
const FILTERS = [
  { key: '', label: '全部' },
  { key: 'enrolled', label: '已报名' },
  { key: 'waitlisted', label: '候补' },
  { key: 'no_show', label: '缺席' },
  { key: 'cancelled', label: '已取消' },
];

function present(e) {
  const a = e.attendance;
  let attendanceText = '未签到';
  if (a && a.checkout_at) {
    attendanceText = `已签退 ${hoursText(a.served_minutes)} · ${a.points}积分${a.auto_checkout ? '（自动签退）' : ''}`;
  } else if (a) {
    attendanceText = `已签到 ${formatDateTime(a.checkin_at).slice(11)}${a.checkin_method === 'manual' ? '（代签）' : ''}`;
  }
  const seated = e.status === 'enrolled' || e.status === 'no_show';
  return Object.assign({}, e, {
    statusText: ENROLLMENT_STATUS_LABELS[e.status] || e.status,
    queueText: e.status === 'waitlisted' ? `候补号 ${e.waitlist_seq}` : '',
    attendanceText,
    canCheckIn: seated && !a,
    canCheckOut: Boolean(a) && !a.checkout_at,
    canCorrect: Boolean(a) && Boolean(a.checkout_at),
    canRemove: (e.status === 'enrolled' || e.status === 'waitlisted') && !a,
  });
}

function askReason(title, placeholder) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder,
      success: (res) => {
        const text = res.confirm ? String(res.content || '').trim() : '';
        resolve(res.confirm ? text : null);
      },
      fail: () => resolve(null),
    });
  });
}

Component({
  behaviors: [pagedList],

  data: { id: '', filters: FILTERS, status: '', pageSize: PAGE_SIZE },

  methods: {
    onLoad(options) {
      this.setData({ id: (options && options.id) || '' });
      this.loadPage(1);
    },

    onFilterTap(e) {
      const { status } = e.currentTarget.dataset;
      if (status === this.data.status) return;
      this.reload({ status });
    },

    fetchPage(page, pageSize) {
      const query = { page, page_size: pageSize };
      if (this.data.status) query.status = this.data.status;
      return activityService.roster(this.data.id, query);
    },

    presentItem: present,

    pagedKey() {
      return this.data.status;
    },

    entry(e) {
      const { eid } = e.currentTarget.dataset;
      return this.data.items.find((item) => String(item.id) === String(eid));
    },

    async act(run, done) {
      try {
        await run();
        wx.showToast({ title: done, icon: 'success' });
        await this.loadPage(1);
      } catch (err) {
        // request.js showed the reason.
      }
    },

    async onCheckIn(e) {
      const entry = this.entry(e);
      const reason = await askReason(`为 ${entry.name} 代签到`, '代签原因（必填，如：手机没电，现场核实）');
      if (reason === null) return;
      if (reason.length < 2) {
        wx.showToast({ title: '请填写代签原因', icon: 'none' });
        return;
      }
      await this.act(() => activityService.manualCheckIn(this.data.id, entry.id, reason), '已代签到');
    },

    async onCheckOut(e) {
      const entry = this.entry(e);
      const reason = await askReason(`为 ${entry.name} 签退`, '原因（必填）');
      if (!reason || reason.length < 2) return;
      await this.act(() => activityService.manualCheckOut(this.data.id, entry.id, reason), '已签退');
    },

    async onCorrect(e) {
      const entry = this.entry(e);
      const minutesText = await askReason(
        `更正 ${entry.name} 的服务时长`,
        `新的服务分钟数（当前 ${entry.attendance.served_minutes}）`,
      );
      if (minutesText === null) return;
      const minutes = Number(minutesText);
      if (!Number.isInteger(minutes) || minutes < 0) {
        wx.showToast({ title: '请输入整数分钟', icon: 'none' });
        return;
      }
      const reason = await askReason('更正原因', '必填，将记录在案');
      if (!reason || reason.length < 2) return;
      await this.act(() => activityService.correctHours(entry.attendance.id, minutes, reason), '已更正');
    },

    async onRemove(e) {
      const entry = this.entry(e);
      const reason = await askReason(`将 ${entry.name} 移出活动`, '移出原因（必填，将通知本人）');
      if (!reason || reason.length < 1) return;
      await this.act(() => activityService.removeEnrollment(this.data.id, entry.id, reason), '已移出');
    },

    onExport(e) {
      const { format } = e.currentTarget.dataset;
      activityService.exportRoster(this.data.id, format).catch((err) => {
        wx.showToast({ title: (err && err.message) || '导出失败', icon: 'none' });
      });
    },
  },
});
