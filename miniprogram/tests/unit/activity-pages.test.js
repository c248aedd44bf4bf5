jest.mock('../../services/activity');
jest.mock('../../utils/auth');

const activityService = require('../../services/activity');
const auth = require('../../utils/auth');
const subscribe = require('../../utils/subscribe');
const { confirmModal } = require('../helpers/wx');
const { templateServer, promptedBefore } = require('../helpers/templates');
const { load, render, flush, tap, fire, textOf, find } = require('../helpers/simulate');

let posted;
beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
  auth.getUser.mockReturnValue({ id: 1, volunteer: { status: 'approved' } });
  subscribe.resetTemplateCache();
  posted = [];
  wx.__setRequestHandler(templateServer(posted));
});

function activity(extra) {
  return Object.assign({
    id: 7,
    title: '龙津社区夜间治安巡逻',
    category: 'patrol',
    region_name: '龙津社区',
    place_name: '龙津社区广场',
    latitude: 28.19,
    longitude: 115.77,
    checkin_radius_m: 300,
    start_at: '2025-03-08T19:00:00+08:00',
    end_at: '2025-03-08T21:00:00+08:00',
    enroll_deadline: '2025-03-08T19:00:00+08:00',
    capacity: 10,
    enrolled_count: 4,
    waitlist_enabled: true,
    waitlist_count: 0,
    is_full: false,
    status: 'published',
    phase: 'enrolling',
    points_mode: 'per_hour',
    points_value: 10,
    required_skills: [],
    can_manage: false,
    my_enrollment: null,
  }, extra);
}

describe('activity detail', () => {
  let id;
  beforeAll(() => {
    id = load('pages/activity/detail/index');
  });

  async function open(a) {
    activityService.get.mockResolvedValue(a);
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    return comp;
  }

  test('shows the activity with its map point and enrolls, then asks for subscriptions', async () => {
    const comp = await open(activity());
    expect(activityService.get).toHaveBeenCalledWith('7', { silent: true });
    expect(comp.querySelector('#title').dom.textContent).toBe('龙津社区夜间治安巡逻');
    expect(comp.querySelector('#status').dom.textContent).toBe('报名中');
    expect(comp.data.markers[0]).toMatchObject({ latitude: 28.19, longitude: 115.77, title: '龙津社区广场' });
    expect(comp.querySelector('#cancel')).toBeFalsy();
    activityService.enroll.mockResolvedValue({ status: 'enrolled' });
    activityService.get.mockResolvedValue(activity({
      enrolled_count: 5,
      my_enrollment: { id: 3, status: 'enrolled', waitlist_position: null, attendance: null },
    }));
    await tap(comp, '#enroll');
    await flush(10);
    expect(activityService.enroll).toHaveBeenCalledWith('7');
    // The prompt opened from the tap itself (the stub refuses anything else), before enrolling,
    // and the answers reached the server.
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T-ENROLL', 'T-REMIND', 'T-WAIT'] }));
    expect(promptedBefore(activityService.enroll)).toBe(true);
    expect(posted).toEqual([{ results: { 'T-ENROLL': 'accept', 'T-REMIND': 'accept', 'T-WAIT': 'accept' } }]);
    expect(subscribe.lastSubscribeOutcome()).toMatchObject({ result: 'accept' });
    expect(comp.querySelector('#mine-status').dom.textContent).toContain('已报名');
    expect(comp.querySelector('#enroll')).toBeFalsy();
    expect(comp.querySelector('#cancel')).toBeTruthy();
    expect(comp.querySelector('#scan')).toBeTruthy();
  });

  test('a full activity offers the waitlist and shows the position', async () => {
    const comp = await open(activity({ is_full: true, enrolled_count: 10 }));
    expect(textOf(comp, '#enroll')).toBe('加入候补');
    activityService.enroll.mockResolvedValue({ status: 'waitlisted', waitlist_position: 3 });
    activityService.get.mockResolvedValue(activity({
      is_full: true,
      my_enrollment: { id: 3, status: 'waitlisted', waitlist_position: 3, attendance: null },
    }));
    await tap(comp, '#enroll');
    await flush(10);
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已进入候补第3位' }));
    expect(comp.querySelector('#mine-status').dom.textContent).toContain('候补第 3 位');
    expect(comp.querySelector('#scan')).toBeFalsy();
  });

  test('a resident is sent to the volunteer application', async () => {
    const comp = await open(activity());
    activityService.enroll.mockRejectedValue({ code: 'volunteer_required', statusCode: 403, message: '只有审核通过的平安志愿者才能报名' });
    auth.getUser.mockReturnValue({ id: 2, volunteer: null });
    wx.showModal = confirmModal();
    await tap(comp, '#enroll');
    await flush(10);
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/volunteer/apply/index' });
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled();
  });

  test('a prompt that fails (not from a tap) is recorded and never blocks the enrollment', async () => {
    const comp = await open(activity());
    activityService.enroll.mockResolvedValue({ status: 'enrolled' });
    await comp.instance.onEnroll(); // called by code, not by a finger
    await flush(10);
    expect(wx.requestSubscribeMessage).toHaveBeenCalled();
    expect(activityService.enroll).toHaveBeenCalledWith('7');
    expect(posted).toEqual([]);
    expect(subscribe.lastSubscribeOutcome()).toMatchObject({ result: 'fail', errMsg: expect.stringContaining('TAP gesture') });
  });

  test('a declined prompt is reported and the enrollment goes on', async () => {
    const comp = await open(activity());
    wx.__subscribeAnswer = 'reject';
    activityService.enroll.mockResolvedValue({ status: 'enrolled' });
    await tap(comp, '#enroll');
    await flush(10);
    expect(activityService.enroll).toHaveBeenCalled();
    expect(posted).toEqual([{ results: { 'T-ENROLL': 'reject', 'T-REMIND': 'reject', 'T-WAIT': 'reject' } }]);
  });

  test('cancel after confirmation; finished attendance shows hours and points', async () => {
    const comp = await open(activity({
      my_enrollment: { id: 3, status: 'enrolled', attendance: null },
    }));
    activityService.cancelEnrollment.mockResolvedValue({ status: 'cancelled' });
    activityService.get.mockResolvedValue(activity({ my_enrollment: { id: 3, status: 'cancelled' } }));
    wx.showModal = confirmModal();
    await tap(comp, '#cancel');
    await flush(10);
    expect(activityService.cancelEnrollment).toHaveBeenCalledWith('7');
    expect(comp.querySelector('#mine-status').dom.textContent).toContain('已取消');
    expect(comp.querySelector('#enroll')).toBeTruthy();

    const done = await open(activity({
      phase: 'ended',
      my_enrollment: {
        id: 3,
        status: 'enrolled',
        attendance: {
          checkin_at: '2025-03-08T18:55:00+08:00',
          checkout_at: '2025-03-08T21:00:00+08:00',
          served_minutes: 120,
          points: 20,
        },
      },
    }));
    expect(done.querySelector('#served').dom.textContent).toContain('2小时 · 20 积分');
    expect(done.querySelector('#enroll')).toBeFalsy();
    expect(done.querySelector('#scan')).toBeFalsy();
  });

  test('unknown or hidden activity', async () => {
    activityService.get.mockRejectedValue({ statusCode: 404, code: 'activity_not_found', message: '活动不存在' });
    const comp = render(id);
    comp.instance.onLoad({ id: '99' });
    await flush();
    expect(comp.querySelector('#not-found')).toBeTruthy();
  });
});

describe('scan to check in / out', () => {
  let id;
  beforeAll(() => {
    id = load('pages/activity/scan/index');
  });

  beforeEach(() => {
    wx.getLocation = jest.fn((opts) => opts.success({ latitude: 28.1921, longitude: 115.7764, accuracy: 15 }));
    activityService.get.mockResolvedValue(activity({ title: '龙津社区夜间治安巡逻', checkin_radius_m: 300 }));
  });

  test('scanCode → scene → location → check-in; the result names the activity, the time and the distance', async () => {
    const scene = encodeURIComponent('a=7&c=ABCD2345&m=i');
    wx.scanCode = jest.fn((opts) => opts.success({ path: `pages/activity/scan/index?scene=${scene}` }));
    activityService.checkIn.mockResolvedValue({
      status: 'checked_in', checkin_at: '2025-03-08T18:52:00+08:00', checkin_distance_m: 12, points: 0,
    });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await tap(comp, '#scan');
    await flush(10);
    expect(wx.scanCode).toHaveBeenCalledWith(expect.objectContaining({ onlyFromCamera: true }));
    expect(wx.getLocation).toHaveBeenCalledWith(expect.objectContaining({ type: 'gcj02' }));
    expect(activityService.checkIn).toHaveBeenCalledWith(
      7,
      { code: 'ABCD2345', latitude: 28.1921, longitude: 115.7764, accuracy: 15 },
      { silent: true },
    );
    const text = comp.querySelector('#result').dom.textContent;
    expect(text).toContain('签到成功');
    expect(text).toContain('2025-03-08 18:52');
    expect(text).toContain('龙津社区夜间治安巡逻');
    expect(text).toContain('12 米（须在 300 米内）');
    // The check-out follows from the same screen.
    expect(comp.querySelector('#next-step')).toBeTruthy();
    expect(comp.data.purpose).toBe('checkout');
    expect(textOf(comp, '#scan')).toContain('扫码签退');
  });

  test('opened by the WeChat scan (scene in the options) checks out and shows the hours', async () => {
    activityService.checkOut.mockResolvedValue({
      served_minutes: 95, points: 15, checkout_distance_m: 20,
      checkin_at: '2025-03-08T19:00:00+08:00', checkout_at: '2025-03-08T20:35:00+08:00',
    });
    const comp = render(id);
    comp.instance.onLoad({ scene: encodeURIComponent('a=7&c=QWER2345&m=o') });
    await flush(10);
    expect(activityService.checkOut).toHaveBeenCalledWith(7, expect.objectContaining({ code: 'QWER2345' }), { silent: true });
    expect(comp.querySelector('#result-hours').dom.textContent).toContain('1.6小时');
    expect(comp.querySelector('#result-hours').dom.textContent).toContain('15 积分');
    expect(comp.querySelector('#result').dom.textContent).toContain('2025-03-08 20:35');
  });

  test('the check-in code scanned again by someone checked in shows the check-out', async () => {
    activityService.checkIn.mockResolvedValue({ status: 'checked_out', served_minutes: 60, points: 12, checkout_distance_m: 8 });
    const comp = render(id);
    comp.instance.onLoad({ scene: encodeURIComponent('a=7&c=ABCD2345&m=i') });
    await flush(10);
    expect(activityService.checkIn).toHaveBeenCalled();
    expect(comp.querySelector('#result').dom.textContent).toContain('签退成功');
    expect(comp.querySelector('#result-hours').dom.textContent).toContain('12 积分');
  });

  test('refusals are shown: out of range, foreign code', async () => {
    activityService.checkIn.mockRejectedValue({ code: 'out_of_range', statusCode: 403, message: '您距离活动地点约2000米，需在300米范围内' });
    wx.scanCode = jest.fn((opts) => opts.success({ path: `pages/activity/scan/index?scene=${encodeURIComponent('a=7&c=ABCD2345&m=i')}` }));
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await tap(comp, '#scan');
    await flush(10);
    expect(comp.querySelector('#error').dom.textContent).toContain('300米范围内');

    wx.scanCode = jest.fn((opts) => opts.success({ path: `pages/activity/scan/index?scene=${encodeURIComponent('a=8&c=ABCD2345&m=i')}` }));
    await tap(comp, '#scan');
    await flush(10);
    expect(comp.querySelector('#error').dom.textContent).toContain('不属于当前活动');

    wx.scanCode = jest.fn((opts) => opts.success({ result: 'hello' }));
    await tap(comp, '#scan');
    await flush(10);
    expect(comp.querySelector('#error').dom.textContent).toContain('不是活动签到码');
  });

  test('location denied: the way to the settings page, then the same code again', async () => {
    wx.__locationDenied = true;
    wx.getLocation = jest.fn((o) => (wx.__locationDenied
      ? o.fail({ errMsg: 'getLocation:fail auth deny' })
      : o.success({ latitude: 28.1921, longitude: 115.7764, accuracy: 15 })));
    activityService.checkIn.mockResolvedValue({ status: 'checked_in', checkin_at: '2025-03-08T18:52:00+08:00', checkin_distance_m: 12 });
    const comp = render(id);
    comp.instance.onLoad({ scene: encodeURIComponent('a=7&c=ABCD2345&m=i') });
    await flush(10);
    expect(activityService.checkIn).not.toHaveBeenCalled();
    expect(textOf(comp, '#location >>> #location-help')).toContain('未允许使用位置');
    expect(find(comp, '#location >>> #open-setting')).toBeTruthy();
    // The settings page comes back with the scope allowed: the same code is sent at once.
    wx.__locationDenied = false;
    await fire(comp, '#location >>> #open-setting', 'opensetting', { authSetting: { 'scope.userLocation': true } });
    await flush(10);
    expect(activityService.checkIn).toHaveBeenCalledWith(7, expect.objectContaining({ code: 'ABCD2345' }), { silent: true });
    expect(find(comp, '#location >>> #location-help')).toBeFalsy();
  });

  test('GPS off: the steps to turn it on and a retry, no settings button', async () => {
    wx.getLocation = jest.fn((o) => o.fail({ errMsg: 'getLocation:fail system permission denied', errCode: 2 }));
    const comp = render(id);
    comp.instance.onLoad({ scene: encodeURIComponent('a=7&c=ABCD2345&m=i') });
    await flush(10);
    expect(textOf(comp, '#location >>> #location-help')).toContain('定位服务未开启');
    expect(find(comp, '#location >>> #open-setting')).toBeFalsy();
    wx.getLocation = jest.fn((o) => o.success({ latitude: 28.1921, longitude: 115.7764, accuracy: 15 }));
    activityService.checkIn.mockResolvedValue({ status: 'checked_in', checkin_at: '2025-03-08T18:52:00+08:00' });
    await tap(comp, '#location >>> #retry-location');
    await flush(10);
    expect(activityService.checkIn).toHaveBeenCalled();
  });

  test('a typed-in code works when the camera cannot', async () => {
    activityService.checkOut.mockResolvedValue({ served_minutes: 60, points: 10 });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await tap(comp, '#manual-submit');
    expect(comp.querySelector('#error').dom.textContent).toContain('请输入');
    comp.instance.onPurposeChange({ detail: { value: 'checkout' } });
    comp.instance.onCodeInput({ detail: { value: 'abcd2345 ' } });
    await tap(comp, '#manual-submit');
    await flush(10);
    expect(activityService.checkOut).toHaveBeenCalledWith(7, expect.objectContaining({ code: 'ABCD2345' }), { silent: true });
  });
});


describe('my activities and hours', () => {
  test('my activities by tab, with attendance', async () => {
    const id = load('pages/activity/mine/index');
    activityService.myActivities
      .mockResolvedValueOnce({
        items: [{ id: 1, status: 'enrolled', activity: activity(), attendance: null }],
        total: 1,
      })
      .mockResolvedValueOnce({
        items: [{
          id: 2,
          status: 'enrolled',
          activity: activity({ id: 8, phase: 'ended' }),
          attendance: { checkin_at: 'x', checkout_at: 'y', served_minutes: 110, points: 18, auto_checkout: true },
        }],
        total: 1,
      });
    const comp = render(id);
    comp.instance.onLoad();
    await flush();
    expect(activityService.myActivities).toHaveBeenCalledWith({ when: 'upcoming', page: 1, page_size: 20 });
    expect(comp.querySelector('.entry').dom.textContent).toContain('已报名');
    comp.instance.onTabChange({ detail: { value: 'past' } });
    await flush();
    expect(activityService.myActivities).toHaveBeenLastCalledWith({ when: 'past', page: 1, page_size: 20 });
    expect(comp.querySelector('.attendance').dom.textContent).toContain('服务 1.8小时 · 18 积分（自动签退）');
    await tap(comp, '.entry');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/detail/index?id=8' });
  });

  test('hours, star level and progress to the next level', async () => {
    const id = load('pages/activity/hours/index');
    activityService.myHours.mockResolvedValue({
      service_minutes: 6090,
      duty_minutes: 120,
      service_hours: 101.5,
      duty_hours: 2,
      star_level: 1,
      star_name: '一星',
      next_level_at: 300,
      hours_to_next_level: 198.5,
      records: {
        items: [{
          id: 4,
          activity_title: '夜巡',
          activity_category: 'patrol',
          activity_start_at: '2025-03-08T19:00:00+08:00',
          checkin_method: 'manual',
          checkout_method: 'scan',
          checkout_at: '2025-03-08T21:00:00+08:00',
          served_minutes: 120,
          hours_kind: 'service',
          points: 20,
          correction_reason: '',
        }],
        total: 1,
      },
    });
    const comp = render(id);
    comp.instance.onLoad();
    await flush();
    expect(comp.querySelector('#stars').dom.textContent.replace(/\s/g, '')).toContain('★一星');
    expect(comp.querySelector('#service-hours').dom.textContent).toBe('101.5');
    expect(comp.querySelector('#duty-hours').dom.textContent).toBe('2');
    expect(comp.querySelector('#next').dom.textContent).toBe('距2星还需 198.5 小时');
    expect(comp.data.progress).toBe(1);
    expect(comp.querySelector('.record').dom.textContent).toContain('组织者代签');
  });
});
