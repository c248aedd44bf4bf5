const activityService = require('../../services/activity');
const { parseScene, sceneFromScan } = require('../../utils/scene');

const BASE = 'http://127.0.0.1:5000/api/v1';

function lastCall() {
  const { url, method, data } = wx.request.mock.calls[wx.request.mock.calls.length - 1][0];
  return { path: url.replace(BASE, ''), method, data };
}

beforeEach(() => {
  wx.__store.set('sa_token', 'tok');
  wx.__setRequestHandler(() => ({ statusCode: 200, data: { items: [] } }));
});

const scan = { code: 'ABCD2345', latitude: 28.19, longitude: 115.77 };

test.each([
  [() => activityService.create({ title: '巡逻' }), 'POST', '/activities', { title: '巡逻' }],
  [() => activityService.update(3, { place_name: '广场' }), 'PATCH', '/activities/3', { place_name: '广场' }],
  [() => activityService.publish(3), 'POST', '/activities/3/publish', {}],
  [() => activityService.cancel(3, '暴雨'), 'POST', '/activities/3/cancel', { reason: '暴雨' }],
  [() => activityService.complete(3), 'POST', '/activities/3/complete', {}],
  [() => activityService.enroll(3), 'POST', '/activities/3/enrollments', {}],
  [() => activityService.cancelEnrollment(3), 'DELETE', '/activities/3/enrollments/me', undefined],
  [() => activityService.checkIn(3, scan), 'POST', '/activities/3/checkins', scan],
  [() => activityService.checkOut(3, scan), 'POST', '/activities/3/checkouts', scan],
  [() => activityService.roster(3, { status: 'enrolled' }), 'GET', '/activities/3/enrollments', { status: 'enrolled' }],
  [() => activityService.removeEnrollment(3, 7, '缺席'), 'POST', '/activities/3/enrollments/7/remove', { reason: '缺席' }],
  [() => activityService.manualCheckIn(3, 7, '手机没电'), 'POST', '/activities/3/enrollments/7/checkin', { reason: '手机没电' }],
  [() => activityService.manualCheckIn(3, 7, '补录', '2025-03-08T09:10:00+08:00'), 'POST', '/activities/3/enrollments/7/checkin', { reason: '补录', at: '2025-03-08T09:10:00+08:00' }],
  [() => activityService.manualCheckOut(3, 7, '手机没电'), 'POST', '/activities/3/enrollments/7/checkout', { reason: '手机没电' }],
  [() => activityService.checkinCode(3, 'checkout'), 'GET', '/activities/3/checkin-code', { purpose: 'checkout' }],
  [() => activityService.checkinCode(3), 'GET', '/activities/3/checkin-code', { purpose: 'checkin' }],
  [() => activityService.correctHours(9, 90, '实际全程'), 'PATCH', '/attendances/9', { served_minutes: 90, reason: '实际全程' }],
  [() => activityService.myActivities({ when: 'past' }), 'GET', '/me/activities', { when: 'past' }],
  [() => activityService.myHours({ page: 2 }), 'GET', '/me/hours', { page: 2 }],
])('%#: %s → %s %s', async (call, method, path, data) => {
  await call();
  const sent = lastCall();
  expect(sent.method).toBe(method);
  expect(sent.path).toBe(path);
  if (data === undefined) expect(sent.data === undefined || sent.data === null).toBe(true);
  else expect(sent.data).toEqual(data);
});

test('roster export downloads with the token and opens the file', async () => {
  wx.downloadFile = jest.fn((opts) => opts.success({ statusCode: 200, tempFilePath: 'wxfile://tmp_roster.xlsx' }));
  wx.openDocument = jest.fn((opts) => opts.success());
  await expect(activityService.exportRoster(3, 'xlsx')).resolves.toBe('wxfile://tmp_roster.xlsx');
  const call = wx.downloadFile.mock.calls[0][0];
  expect(call.url).toBe(`${BASE}/activities/3/enrollments?format=xlsx`);
  expect(call.header.Authorization).toBe('Bearer tok');
  expect(wx.openDocument.mock.calls[0][0].fileType).toBe('xlsx');
  wx.downloadFile = jest.fn((opts) => opts.success({ statusCode: 403 }));
  await expect(activityService.exportRoster(3, 'csv')).rejects.toMatchObject({ statusCode: 403 });
});

describe('check-in scene', () => {
  test('parses the scene of the QR code', () => {
    expect(parseScene('a=12&c=ABCD2345&m=i')).toEqual({ activityId: 12, code: 'ABCD2345', purpose: 'checkin' });
    expect(parseScene(encodeURIComponent('a=12&c=ABCD2345&m=o'))).toEqual({ activityId: 12, code: 'ABCD2345', purpose: 'checkout' });
    expect(parseScene('a=x&c=1&m=i')).toBeNull();
    expect(parseScene('a=12&c=ABCD2345&m=z')).toBeNull();
    expect(parseScene('')).toBeNull();
  });

  test('reads the scene out of wx.scanCode results', () => {
    const path = `pages/activity/scan/index?scene=${encodeURIComponent('a=5&c=QWERTY23&m=i')}`;
    expect(sceneFromScan({ path })).toEqual({ activityId: 5, code: 'QWERTY23', purpose: 'checkin' });
    expect(sceneFromScan({ result: 'https://example.com/' })).toBeNull();
    expect(sceneFromScan(null)).toBeNull();
  });
});
