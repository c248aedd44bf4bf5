// 志愿者证 (the volunteer's e-card) and the organiser's scan of it.
jest.mock('../../utils/auth');
jest.mock('../../services/user');
jest.mock('../../services/volunteer');
jest.mock('../../services/activity');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const volunteerService = require('../../services/volunteer');
const activityService = require('../../services/activity');
const { load, render, flush, tap, textOf } = require('../helpers/simulate');

const ME = {
  id: 8, nickname: '张志愿者', service_hours: 110.7, star_level: 1, points: 370,
  volunteer: { id: 1, status: 'approved', number: 'PA20260000001', display_name: '张**', region_name: '龙津社区' },
};

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
  userService.getMe.mockResolvedValue(ME);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('e-card', () => {
  let id;
  beforeAll(() => {
    id = load('pages/volunteer/card/index');
  });

  test('shows who, and a QR of the signed code that is fetched again before it expires', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-03-08T10:00:00+08:00') });
    volunteerService.myCard
      .mockResolvedValueOnce({ code: 'SIGNED-1', expires_at: '2026-03-08T10:01:00+08:00' })
      .mockResolvedValueOnce({ code: 'SIGNED-2', expires_at: '2026-03-08T10:02:00+08:00' });
    const comp = render(id);
    comp.instance.onLoad();
    await jest.advanceTimersByTimeAsync(0);
    expect(volunteerService.myCard).toHaveBeenCalledWith({ silent: true });
    expect(textOf(comp, '#ecard')).toContain('张**');
    expect(textOf(comp, '#card-number')).toContain('PA20260000001');
    expect(comp.data.code).toBe('SIGNED-1');
    expect(comp.querySelector('#card-qr').dom.getAttribute('data-qr-value')).toBe('SIGNED-1');
    expect(textOf(comp, '#qr-hint')).toContain('60 秒后自动更新');
    // 10 s before it expires, a new code replaces it.
    await jest.advanceTimersByTimeAsync(49 * 1000);
    expect(volunteerService.myCard).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1500);
    expect(volunteerService.myCard).toHaveBeenCalledTimes(2);
    expect(comp.data.code).toBe('SIGNED-2');
    // Off screen: no more requests.
    comp.instance.onHide();
    await jest.advanceTimersByTimeAsync(5 * 60 * 1000);
    expect(volunteerService.myCard).toHaveBeenCalledTimes(2);
    comp.instance.onUnload();
  });

  test('a failed refresh shows the code as expired with a refresh button', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-03-08T10:00:00+08:00') });
    volunteerService.myCard
      .mockResolvedValueOnce({ code: 'SIGNED-1', expires_in: 60 })
      .mockRejectedValueOnce({ code: 'network_error', message: '网络异常，请稍后重试' })
      .mockResolvedValueOnce({ code: 'SIGNED-3', expires_in: 60 });
    const comp = render(id);
    comp.instance.onLoad();
    await jest.advanceTimersByTimeAsync(51 * 1000);
    expect(comp.data.qrStatus).toBe('expired');
    expect(textOf(comp, '#qr-error')).toContain('网络异常');
    const tapped = tap(comp, '#refresh'); // flush() waits on timers: let them run
    await jest.advanceTimersByTimeAsync(50);
    await tapped;
    expect(comp.data.code).toBe('SIGNED-3');
    expect(comp.data.qrStatus).toBe('active');
    comp.instance.onUnload();
  });

  test('not an approved volunteer: no card, the application instead', async () => {
    userService.getMe.mockResolvedValue(Object.assign({}, ME, { volunteer: { status: 'pending' } }));
    const comp = render(id);
    comp.instance.onLoad();
    await flush();
    expect(volunteerService.myCard).not.toHaveBeenCalled();
    expect(comp.querySelector('#ecard')).toBeFalsy();
    await tap(comp, '#apply');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/volunteer/apply/index' });
  });
});

describe('organiser scans an e-card', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/activities/card-scan/index');
  });

  beforeEach(() => {
    activityService.get.mockResolvedValue({
      id: 7, title: '龙津社区夜间治安巡逻', start_at: '2026-03-08T19:00:00+08:00', end_at: '2026-03-08T21:00:00+08:00', place_name: '龙津广场',
    });
  });

  test('check in, then out: who, what and when each time', async () => {
    wx.__scanResult = 'SIGNED-CARD-CODE';
    activityService.cardCheckin
      .mockResolvedValueOnce({ action: 'checkin', volunteer: { display_name: '张**', number: 'PA1' }, attendance: { id: 3, checkin_at: '2026-03-08T18:55:00+08:00' } })
      .mockResolvedValueOnce({ action: 'checkout', volunteer: { display_name: '张**', number: 'PA1' }, attendance: { id: 3, checkin_at: '2026-03-08T18:55:00+08:00', checkout_at: '2026-03-08T21:00:00+08:00', served_minutes: 120, points: 20 } });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    expect(textOf(comp, '#activity')).toContain('龙津社区夜间治安巡逻');
    await tap(comp, '#scan');
    await flush();
    expect(wx.scanCode).toHaveBeenCalledWith(expect.objectContaining({ onlyFromCamera: true }));
    expect(activityService.cardCheckin).toHaveBeenCalledWith(7, 'SIGNED-CARD-CODE', { silent: true });
    expect(textOf(comp, '#last-title')).toBe('张** 签到成功');
    expect(textOf(comp, '#last-time')).toContain('2026-03-08 18:55');
    expect(textOf(comp, '#scan')).toContain('扫下一位');
    await tap(comp, '#scan');
    await flush();
    expect(textOf(comp, '#last-title')).toBe('张** 签退成功');
    expect(textOf(comp, '#last-hours')).toContain('2小时，20 积分');
    expect(textOf(comp, '#counts')).toContain('已签到 1 人 · 已签退 1 人');
    expect(comp.data.history).toHaveLength(2);
  });

  test('a refused card (expired, not enrolled) says why; closing the camera does nothing', async () => {
    wx.__scanResult = 'OLD-CODE';
    activityService.cardCheckin.mockRejectedValue({ code: 'card_expired', statusCode: 422, message: '志愿者证二维码已过期，请让志愿者刷新' });
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    await tap(comp, '#scan');
    await flush();
    expect(textOf(comp, '#error')).toContain('已过期');
    expect(comp.querySelector('#last')).toBeFalsy();
    wx.__scanResult = '';
    activityService.cardCheckin.mockClear();
    await tap(comp, '#scan');
    await flush();
    expect(activityService.cardCheckin).not.toHaveBeenCalled();
  });
});
