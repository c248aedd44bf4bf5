const userService = require('../../services/user');
const regionService = require('../../services/region');
const volunteerService = require('../../services/volunteer');
const teamService = require('../../services/team');
const activityService = require('../../services/activity');
const notificationService = require('../../services/notification');
const authService = require('../../services/auth');

const BASE = 'http://127.0.0.1:5000/api/v1';

function lastCall() {
  const { url, method, data } = wx.request.mock.calls[wx.request.mock.calls.length - 1][0];
  return { path: url.replace(BASE, ''), method, data };
}

beforeEach(() => {
  wx.__store.set('sa_token', 'tok');
  wx.__setRequestHandler(() => ({ statusCode: 200, data: { items: [] } }));
});

test.each([
  [() => authService.wechatLogin('c1'), 'POST', '/auth/wechat', { code: 'c1' }],
  [() => userService.bindPhone('p1'), 'POST', '/auth/phone', { code: 'p1' }],
  [() => userService.getMe(), 'GET', '/me', undefined],
  [() => userService.updateMe({ nickname: '李四' }), 'PATCH', '/me', { nickname: '李四' }],
  [() => userService.deleteMe(), 'DELETE', '/me', undefined],
  [() => userService.acceptConsent('2025.1'), 'POST', '/me/consents', { version: '2025.1' }],
  [() => regionService.listTownships(), 'GET', '/regions', { level: 'township', page_size: 500 }],
  [() => regionService.listVillages(3), 'GET', '/regions', { level: 'village', parent_id: 3, page_size: 500 }],
  [() => regionService.getRegion(3), 'GET', '/regions/3', undefined],
  [() => volunteerService.apply({ real_name: '张三' }), 'POST', '/volunteers', { real_name: '张三' }],
  [() => volunteerService.list({ status: 'pending', page: 2 }), 'GET', '/volunteers', { status: 'pending', page: 2 }],
  [() => volunteerService.get(5), 'GET', '/volunteers/5', undefined],
  [() => volunteerService.approve(5), 'POST', '/volunteers/5/approve', {}],
  [() => volunteerService.approve(5, '符合条件'), 'POST', '/volunteers/5/approve', { reason: '符合条件' }],
  [() => volunteerService.reject(5, '信息不实'), 'POST', '/volunteers/5/reject', { reason: '信息不实' }],
  [() => volunteerService.suspend(5, '违规'), 'POST', '/volunteers/5/suspend', { reason: '违规' }],
  [() => teamService.list({ region_id: 9 }), 'GET', '/teams', { region_id: 9 }],
  [() => teamService.create({ name: '巡逻队', region_id: 9, description: '' }), 'POST', '/teams', { name: '巡逻队', region_id: 9, description: '' }],
  [() => activityService.list({ page: 1, page_size: 10 }), 'GET', '/activities', { page: 1, page_size: 10 }],
  [() => activityService.get(4), 'GET', '/activities/4', undefined],
  [() => notificationService.list({ page: 1 }), 'GET', '/me/notifications', { page: 1 }],
  [() => notificationService.markRead(8), 'POST', '/me/notifications/8/read', {}],
])('%#: %s → %s %s', async (call, method, path, data) => {
  await call();
  const sent = lastCall();
  expect(sent.method).toBe(method);
  expect(sent.path).toBe(path);
  if (data === undefined) expect(sent.data === undefined || sent.data === null).toBe(true);
  else expect(sent.data).toEqual(data);
});

test('POST /auth/wechat is sent without a token', async () => {
  await authService.wechatLogin('c1');
  expect(wx.request.mock.calls[0][0].header.Authorization).toBeUndefined();
});
