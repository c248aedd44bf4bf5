jest.mock('../../utils/auth');
jest.mock('../../services/user');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { load, render, flush, simulate } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/home/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

function me(extra) {
  return Object.assign({ id: 1, nickname: '张三', is_admin: false, volunteer: null, roles: [] }, extra);
}

test('shows the five mechanisms and the entry grid', async () => {
  userService.getMe.mockResolvedValue(me());
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  const text = comp.dom.textContent;
  ['活动开展', '服务响应', '经费筹措', '绩效考核', '表彰激励'].forEach((m) => expect(text).toContain(m));
  expect(comp.querySelectorAll('.grid-item')).toHaveLength(10);
  expect(comp.querySelector('.entry-funds').dom.textContent).toContain('经费公示');
  ['service-submit', 'service-mine', 'scan', 'leaderboard', 'honours', 'bulletins'].forEach((key) => {
    expect(comp.querySelector(`.entry-${key}`)).toBeTruthy();
  });
  expect(comp.querySelector('.entry-admin')).toBeFalsy();
  expect(comp.querySelector('#volunteer-line').dom.textContent).toContain('您还不是平安志愿者');
});

test('a non-volunteer taps the status line to apply; entries navigate', async () => {
  userService.getMe.mockResolvedValue(me());
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  comp.querySelector('#volunteer-line').dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/volunteer/apply/index' });

  comp.querySelector('.entry-activity').dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/activity/list/index' });
});

test('an approved volunteer sees the number; an admin sees the admin hub entry', async () => {
  userService.getMe.mockResolvedValue(me({
    is_admin: true,
    roles: [{ role: 'village_admin', region_id: 5, region_name: '龙津社区' }],
    volunteer: { id: 9, status: 'approved', number: 'FC2025000009' },
  }));
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(comp.querySelector('#volunteer-line').dom.textContent).toContain('FC2025000009');
  expect(comp.data.volunteerAction).toBe('');
  const hub = comp.querySelector('.entry-admin');
  expect(hub.dom.textContent).toContain('管理工作台');
  hub.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/admin/pages/hub/index' });
});

test('a grid worker (no admin role) also gets the hub; service entries navigate', async () => {
  userService.getMe.mockResolvedValue(me({
    roles: [{ role: 'grid_worker', region_id: 7, region_name: '龙津社区第1网格' }],
  }));
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(comp.querySelector('.entry-admin')).toBeTruthy();
  comp.querySelector('.entry-service-submit').dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/service/submit/index' });
  comp.querySelector('.entry-scan').dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/scan/index' });
});

test('pending status and login failure lines', async () => {
  userService.getMe.mockResolvedValue(me({ volunteer: { id: 9, status: 'pending' } }));
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(comp.data.volunteerText).toContain('审核中');

  auth.ensureLogin.mockRejectedValue({ code: 'network_error' });
  await comp.instance.refresh();
  expect(comp.data.volunteerText).toBe('登录后查看志愿者状态');
});
