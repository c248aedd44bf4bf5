// The home page serves each person: admins see pending approvals with counts, grid workers
// today's work orders, volunteers the next activity with a one-tap scan and their record,
// everybody the report entry and their open requests. No entry repeats a tab or offers what
// the person already has.
jest.mock('../../utils/auth');
jest.mock('../../services/user');
jest.mock('../../services/activity');
jest.mock('../../services/service_request');
jest.mock('../../services/volunteer');
jest.mock('../../services/fund');
jest.mock('../../services/recognition');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const activityService = require('../../services/activity');
const requestService = require('../../services/service_request');
const volunteerService = require('../../services/volunteer');
const fundService = require('../../services/fund');
const recognitionService = require('../../services/recognition');
const { load, render, flush, tap, textOf } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/home/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
  requestService.list.mockResolvedValue({ items: [], total: 0 });
  activityService.myActivities.mockResolvedValue({ items: [], total: 0 });
  volunteerService.list.mockResolvedValue({ items: [], total: 3 });
  fundService.listExpenses.mockResolvedValue({ items: [], total: 1 });
  recognitionService.nominations.mockResolvedValue({ items: [], total: 0 });
});

function me(extra) {
  return Object.assign({ id: 1, nickname: '张三', is_admin: false, volunteer: null, roles: [], points: 0, service_hours: 0 }, extra);
}

async function open(profile) {
  userService.getMe.mockResolvedValue(profile);
  const comp = render(id);
  comp.instance.onLoad();
  await flush(10);
  return comp;
}

const entryKeys = (comp) => comp.data.entries.map((e) => e.key);

test('a resident: report a problem, open requests, the application offer; no tab repeated', async () => {
  requestService.list.mockResolvedValue({
    items: [
      { id: 5, status: 'in_progress', title: '隐患：路灯不亮' },
      { id: 6, status: 'closed', title: '已关闭的' },
    ],
    total: 2,
  });
  const comp = await open(me());
  expect(requestService.list).toHaveBeenCalledWith({ scope: 'mine', page_size: 10 }, { silent: true });
  expect(comp.querySelector('#report')).toBeTruthy();
  expect(textOf(comp, '#my-requests')).toContain('路灯不亮');
  expect(textOf(comp, '#my-requests')).not.toContain('已关闭的');
  expect(textOf(comp, '#emergency')).toContain('110');
  const keys = entryKeys(comp);
  expect(keys).toContain('apply');
  expect(keys).not.toContain('scan');
  expect(keys).not.toContain('card');
  // 活动 and 消息 are tabs: never repeated on the home page.
  expect(comp.data.entries.some((e) => e.tab)).toBe(false);
  expect(comp.data.entries.map((e) => e.url)).not.toContain('/pages/message/index');
  expect(comp.querySelector('#approvals')).toBeFalsy();
  expect(comp.querySelector('#work-orders')).toBeFalsy();
  expect(comp.querySelector('#next-activity')).toBeFalsy();
  await tap(comp, '#report');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/service/submit/index' });
});

test('a volunteer: the next activity with a countdown and a one-tap scan, hours/points/star', async () => {
  const start = new Date(Date.now() + 10 * 60 * 1000).toISOString();
  const end = new Date(Date.now() + 130 * 60 * 1000).toISOString();
  activityService.myActivities.mockResolvedValue({
    items: [{ id: 3, status: 'enrolled', activity: { id: 42, title: '夜间巡逻', start_at: start, end_at: end, place_name: '龙津广场', category: 'patrol' } }],
    total: 1,
  });
  const comp = await open(me({
    volunteer: { id: 9, status: 'approved', number: 'PA1' }, service_hours: 110.7, points: 370, star_level: 1,
  }));
  expect(activityService.myActivities).toHaveBeenCalledWith({ when: 'upcoming', status: 'enrolled', page_size: 5 }, { silent: true });
  expect(textOf(comp, '#next-activity')).toContain('夜间巡逻');
  expect(textOf(comp, '#countdown')).toMatch(/还有 (9|10) 分钟开始/);
  expect(textOf(comp, '#stats')).toContain('110.7');
  expect(textOf(comp, '#stats')).toContain('370');
  expect(textOf(comp, '#stats')).toContain('★');
  expect(comp.data.identity).toBe('平安志愿者');
  const keys = entryKeys(comp);
  expect(keys).toEqual(expect.arrayContaining(['scan', 'card']));
  expect(keys).not.toContain('apply'); // already a volunteer
  await tap(comp, '#scan-next');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/scan/index?id=42' });
});

test('a volunteer with nothing enrolled is sent to the activity tab', async () => {
  const comp = await open(me({ volunteer: { id: 9, status: 'approved' } }));
  expect(textOf(comp, '#next-activity')).toContain('还没有报名的活动');
  await tap(comp, '#find-activities');
  expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/activity/list/index' });
});

test('a grid worker: today\'s work orders with the overdue ones, and the hub', async () => {
  requestService.list.mockImplementation((q) => Promise.resolve({
    items: [],
    total: q.overdue ? 2 : (q.scope === 'assigned' ? 4 : (q.status === 'submitted' ? 1 : 0)),
  }));
  const comp = await open(me({ roles: [{ role: 'grid_worker', region_id: 7, region_name: '龙津社区第1网格' }] }));
  const orders = textOf(comp, '#work-orders');
  expect(orders).toContain('待受理');
  expect(comp.data.workOrders.map((w) => [w.key, w.count])).toEqual([['todo', 1], ['mine', 4], ['overdue', 2]]);
  expect(entryKeys(comp)).toContain('admin');
  await tap(comp, '#orders-overdue');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/admin/pages/requests/queue/index?tab=overdue' });
});

test('an admin: pending approvals with counts', async () => {
  const comp = await open(me({ is_admin: true, roles: [{ role: 'village_admin', region_id: 5, region_name: '龙津社区' }] }));
  expect(volunteerService.list).toHaveBeenCalledWith({ status: 'pending', page_size: 1 }, { silent: true });
  expect(fundService.listExpenses).toHaveBeenCalledWith({ actionable: true, page_size: 1 }, { silent: true });
  expect(comp.data.approvals.map((a) => [a.key, a.count])).toEqual([
    ['volunteers', 3], ['expenses', 1], ['nominations', 0], ['overdue', 0],
  ]);
  expect(comp.data.identity).toBe('龙津社区村（居）管理员');
  await tap(comp, '#approval-volunteers');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/admin/pages/volunteers/list/index' });
});

test('a count the server refuses is left out instead of shown as 0', async () => {
  fundService.listExpenses.mockRejectedValue({ statusCode: 403 });
  const comp = await open(me({ is_admin: true, roles: [{ role: 'village_admin', region_id: 5 }] }));
  expect(comp.data.approvals.map((a) => a.key)).toEqual(['volunteers', 'nominations', 'overdue']);
});

test('a pending application says so; a failed login still shows the public entries', async () => {
  const comp = await open(me({ volunteer: { id: 9, status: 'pending' } }));
  expect(textOf(comp, '#apply')).toContain('审核中');
  expect(entryKeys(comp)).not.toContain('apply');

  auth.ensureLogin.mockRejectedValue({ code: 'network_error' });
  await comp.instance.refresh();
  expect(comp.data.me).toBe(null);
  expect(entryKeys(comp)).toEqual(expect.arrayContaining(['funds', 'leaderboard', 'honours', 'bulletins']));
});
