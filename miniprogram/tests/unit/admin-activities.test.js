jest.mock('../../services/activity');
jest.mock('../../services/region');
jest.mock('../../services/user');

const activityService = require('../../services/activity');
const regionService = require('../../services/region');
const userService = require('../../services/user');
const { confirmModal } = require('../helpers/wx');
const { load, render, flush, tap } = require('../helpers/simulate');

function activity(extra) {
  return Object.assign({
    id: 7,
    title: '龙津社区夜间治安巡逻',
    description: '沿滨江路巡逻',
    category: 'patrol',
    region_id: 11,
    region_name: '龙津社区',
    place_name: '龙津社区广场',
    latitude: 28.19,
    longitude: 115.77,
    checkin_radius_m: 300,
    start_at: '2025-03-08T19:00:00+08:00',
    end_at: '2025-03-08T21:00:00+08:00',
    enroll_deadline: '2025-03-08T18:00:00+08:00',
    capacity: 10,
    enrolled_count: 4,
    waitlist_enabled: true,
    status: 'draft',
    phase: 'draft',
    content_status: 'pass',
    points_mode: 'per_hour',
    points_value: 10,
    counts_as_duty: false,
  }, extra);
}

const ME = {
  id: 1,
  roles: [
    { role: 'village_admin', region_id: 11, region_name: '龙津社区', region_level: 'village' },
    { role: 'township_admin', region_id: 2, region_name: '剑光街道', region_level: 'township' },
  ],
};

describe('admin activity list', () => {
  test('tabs by status, organiser view, links to roster and QR', async () => {
    const id = load('subpackages/admin/pages/activities/list/index');
    activityService.list.mockResolvedValue({ items: [activity({ status: 'published', phase: 'ongoing' })], total: 1 });
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(activityService.list).toHaveBeenCalledWith({ manage: true, status: 'published', when: 'all', page: 1, page_size: 20 });
    expect(comp.querySelector('.activity').dom.textContent).toContain('进行中');
    await tap(comp, '.qr');
    await flush();
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/activities/qrcode/index?id=7' });
    await tap(comp, '.roster');
    await flush();
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/activities/roster/index?id=7' });
    await tap(comp, '#tab-draft');
    await flush();
    expect(activityService.list).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'draft' }));
    await tap(comp, '#create');
    await flush();
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/activities/edit/index' });
  });
});

describe('admin activity edit', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/activities/edit/index');
  });

  beforeEach(() => {
    userService.getMe.mockResolvedValue(ME);
    regionService.listVillages.mockResolvedValue([{ id: 11, name: '龙津社区' }, { id: 12, name: '新城社区' }]);
  });

  test('create: validation, location from the map, then save and publish', async () => {
    const comp = render(id);
    await comp.instance.onLoad({});
    await flush();
    expect(comp.data.regions.map((r) => r.id)).toEqual([11, 2, 12]);
    await tap(comp, '#save');
    await flush();
    expect(activityService.create).not.toHaveBeenCalled();
    expect(comp.querySelector('#title-error').dom.textContent).toContain('活动名称');
    expect(comp.querySelector('#place-error')).toBeTruthy();

    comp.querySelector('#title').dispatchEvent('input', { detail: { value: '防诈骗宣传进社区' } });
    comp.setData({ 'form.date': '2025-03-08', 'form.categoryIndex': '1', 'form.capacity': '20' });
    wx.chooseLocation = jest.fn((opts) => opts.success({ name: '龙津社区广场', latitude: 28.19, longitude: 115.77 }));
    await tap(comp, '#place');
    await flush();
    activityService.create.mockResolvedValue(activity({ title: '防诈骗宣传进社区', category: 'publicity' }));
    await tap(comp, '#save');
    await flush(10);
    expect(activityService.create).toHaveBeenCalledWith(expect.objectContaining({
      title: '防诈骗宣传进社区',
      category: 'publicity',
      region_id: 11,
      start_at: '2025-03-08T09:00:00+08:00',
      end_at: '2025-03-08T11:00:00+08:00',
      place_name: '龙津社区广场',
      latitude: 28.19,
      capacity: 20,
      points_mode: 'per_hour',
    }));
    expect(comp.data.id).toBe('7');
    activityService.publish.mockResolvedValue(activity({ status: 'published', phase: 'enrolling' }));
    await tap(comp, '#publish');
    await flush(10);
    expect(activityService.publish).toHaveBeenCalledWith('7');
    expect(comp.querySelector('#status').dom.textContent).toBe('报名中');
    expect(comp.querySelector('#qrcode')).toBeTruthy();
  });

  test('server field errors are shown; held content is flagged', async () => {
    activityService.get.mockResolvedValue(activity({ content_status: 'review' }));
    const comp = render(id);
    await comp.instance.onLoad({ id: '7' });
    await flush();
    expect(comp.querySelector('#review')).toBeTruthy();
    expect(comp.data.form).toMatchObject({ date: '2025-03-08', startTime: '19:00', endTime: '21:00', deadlineTime: '18:00' });
    activityService.update.mockRejectedValue({ statusCode: 422, errors: { enroll_deadline: ['报名截止时间不能晚于活动开始时间'] } });
    await tap(comp, '#save');
    await flush(10);
    expect(activityService.update).toHaveBeenCalledWith('7', expect.objectContaining({ enroll_deadline: '2025-03-08T18:00:00+08:00' }));
    expect(comp.dom.textContent).toContain('报名截止时间不能晚于活动开始时间');
  });

  test('cancel needs a reason; complete after confirmation', async () => {
    activityService.get.mockResolvedValue(activity({ status: 'published', phase: 'ongoing' }));
    const comp = render(id);
    await comp.instance.onLoad({ id: '7' });
    await flush();
    wx.showModal = confirmModal('');
    await tap(comp, '#cancel');
    await flush();
    expect(activityService.cancel).not.toHaveBeenCalled();
    wx.showModal = confirmModal('暴雨预警');
    activityService.cancel.mockResolvedValue(activity({ status: 'cancelled', phase: 'cancelled' }));
    await tap(comp, '#cancel');
    await flush(10);
    expect(activityService.cancel).toHaveBeenCalledWith('7', '暴雨预警');
    expect(comp.querySelector('#status').dom.textContent).toBe('已取消');

    const other = render(id);
    await other.instance.onLoad({ id: '7' });
    await flush();
    wx.showModal = confirmModal();
    activityService.complete.mockResolvedValue(activity({ status: 'completed', phase: 'completed' }));
    await tap(other, '#complete');
    await flush(10);
    expect(activityService.complete).toHaveBeenCalledWith('7');
    expect(other.querySelector('#complete')).toBeFalsy();
  });
});

describe('roster', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/activities/roster/index');
  });

  const ROSTER = {
    total: 3,
    items: [
      { id: 1, name: '张晓燕', phone: '13907950001', volunteer_number: 'PA1', status: 'enrolled', attendance: null },
      {
        id: 2,
        name: '李建国',
        status: 'enrolled',
        attendance: { id: 9, checkin_at: '2025-03-08T19:02:00+08:00', checkin_method: 'scan', checkout_at: '2025-03-08T21:00:00+08:00', served_minutes: 118, points: 19, auto_checkout: true },
      },
      { id: 3, name: '王芳', status: 'waitlisted', waitlist_seq: 1, attendance: null },
    ],
  };

  async function open() {
    activityService.roster.mockResolvedValue(ROSTER);
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    return comp;
  }

  test('shows attendance and the actions each row allows', async () => {
    const comp = await open();
    expect(activityService.roster).toHaveBeenCalledWith('7', { page: 1, page_size: 50 });
    const rows = comp.querySelectorAll('.entry');
    expect(rows[0].dom.textContent).toContain('未签到');
    expect(rows[1].dom.textContent).toContain('已签退 2小时 · 19积分（自动签退）');
    expect(rows[2].dom.textContent).toContain('候补号 1');
    expect(comp.querySelectorAll('.checkin')).toHaveLength(1);
    expect(comp.querySelectorAll('.correct')).toHaveLength(1);
    expect(comp.querySelectorAll('.remove')).toHaveLength(2);
    await tap(comp, '#filter-waitlisted');
    await flush();
    expect(activityService.roster).toHaveBeenLastCalledWith('7', { page: 1, page_size: 50, status: 'waitlisted' });
  });

  test('代签 needs a reason; corrections ask minutes and a reason', async () => {
    const comp = await open();
    wx.showModal = confirmModal('');
    await tap(comp, '.checkin');
    await flush();
    expect(activityService.manualCheckIn).not.toHaveBeenCalled();
    wx.showModal = confirmModal('手机没电，现场核实');
    activityService.manualCheckIn.mockResolvedValue({});
    await tap(comp, '.checkin');
    await flush(10);
    expect(activityService.manualCheckIn).toHaveBeenCalledWith('7', 1, '手机没电，现场核实');

    const answers = ['90', '中途离开'];
    wx.showModal = jest.fn((opts) => opts.success({ confirm: true, content: answers.shift() }));
    activityService.correctHours.mockResolvedValue({});
    await tap(comp, '.correct');
    await flush(10);
    expect(activityService.correctHours).toHaveBeenCalledWith(9, 90, '中途离开');

    wx.showModal = confirmModal('多次缺席');
    activityService.removeEnrollment.mockResolvedValue({});
    comp.querySelectorAll('.remove')[1].dispatchEvent('tap');
    await flush(10);
    expect(activityService.removeEnrollment).toHaveBeenCalledWith('7', 3, '多次缺席');
  });

  test('exports', async () => {
    const comp = await open();
    activityService.exportRoster.mockResolvedValue('wxfile://tmp_roster.xlsx');
    await tap(comp, '#export-xlsx');
    await flush();
    expect(activityService.exportRoster).toHaveBeenCalledWith('7', 'xlsx');
  });
});

describe('full-screen check-in QR', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/activities/qrcode/index');
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test('shows the code and refreshes itself before it rotates', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const now = Date.parse('2025-03-08T19:00:00+08:00');
    jest.setSystemTime(now);
    activityService.checkinCode
      .mockResolvedValueOnce({ code: 'AAAA2222', image: 'data:image/png;base64,AAA', expires_at: '2025-03-08T19:01:00+08:00' })
      .mockResolvedValueOnce({ code: 'BBBB3333', image: null, image_error: '微信服务暂时不可用', expires_at: '2025-03-08T19:02:00+08:00' });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(activityService.checkinCode).toHaveBeenCalledWith('7', 'checkin', { silent: true });
    expect(comp.data.code).toBe('AAAA2222');
    expect(comp.data.secondsLeft).toBe(60);
    jest.advanceTimersByTime(58000);
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(activityService.checkinCode).toHaveBeenCalledTimes(2);
    expect(comp.data.code).toBe('BBBB3333');
    expect(comp.data.image).toBe('');
    expect(comp.data.imageError).toBe('微信服务暂时不可用');
    comp.instance.onUnload();
  });

  test('switches to the check-out code; a cancelled activity stops refreshing', async () => {
    activityService.checkinCode.mockResolvedValue({ code: 'CCCC4444', image: 'data:x', expires_at: new Date(Date.now() + 60000).toISOString() });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    await tap(comp, '#purpose-checkout');
    await flush();
    expect(activityService.checkinCode).toHaveBeenLastCalledWith('7', 'checkout', { silent: true });
    comp.instance.onUnload();

    activityService.checkinCode.mockReset();
    activityService.checkinCode.mockRejectedValue({ statusCode: 409, code: 'activity_cancelled', message: '活动已取消' });
    const stopped = render(id);
    stopped.instance.onLoad({ id: '7' });
    await flush();
    expect(stopped.querySelector('#error').dom.textContent).toBe('活动已取消');
    expect(stopped.instance._timer).toBeFalsy();
  });
});
