jest.mock('../../utils/auth');
jest.mock('../../services/user');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { adminSections, isStaff, ADMIN_SECTIONS } = require('../../utils/entries');
const { load, render, flush, simulate, tap } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('subpackages/admin/pages/hub/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

function me(roles, extra) {
  return Object.assign({ id: 1, nickname: '陈会长', is_admin: false, roles }, extra);
}

const keysOf = (sections) => sections.flatMap((s) => s.entries.map((e) => e.key));

test('entries follow the roles: admins see every admin page, grid workers the request queue', () => {
  const admin = me([{ role: 'village_admin', region_name: '龙津社区' }], { is_admin: true });
  expect(keysOf(adminSections(admin))).toEqual(keysOf(ADMIN_SECTIONS));
  const grid = me([{ role: 'grid_worker', region_name: '龙津社区第1网格' }]);
  expect(keysOf(adminSections(grid))).toEqual(['requests']);
  const police = me([{ role: 'auxiliary_police', region_name: '龙津社区' }]);
  expect(keysOf(adminSections(police))).toEqual(['requests']);
  expect(adminSections(me([]))).toEqual([]);
  expect(isStaff(me([]))).toBe(false);
  expect(isStaff(grid)).toBe(true);
  expect(isStaff(null)).toBe(false);
});

test('the hub page lists the sections of a township admin and navigates', async () => {
  userService.getMe.mockResolvedValue(me(
    [{ role: 'township_admin', region_name: '剑光街道' }],
    { is_admin: true },
  ));
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  const text = comp.dom.textContent;
  ['服务请求工单', '活动管理', '志愿者审核', '支出审批', '表彰推荐与审批', '积分调整'].forEach((label) => {
    expect(text).toContain(label);
  });
  expect(comp.querySelector('#roles').dom.textContent).toContain('剑光街道');
  await tap(comp, '#entry-fund-approvals');
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/funds/approvals/index' });
  await tap(comp, '#entry-requests');
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/requests/queue/index' });
  expect(comp.querySelector('#empty')).toBeFalsy();
});

test('a grid worker sees only the request queue; a resident sees the no-permission note', async () => {
  userService.getMe.mockResolvedValue(me([{ role: 'grid_worker', region_name: '龙津社区第1网格' }]));
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(comp.data.sections.map((x) => x.entries.length)).toEqual([1]);
  expect(comp.querySelector('#entry-requests')).toBeTruthy();
  expect(comp.querySelector('#entry-nominations')).toBeFalsy();

  userService.getMe.mockResolvedValue(me([]));
  await comp.instance.refresh();
  await flush();
  expect(comp.data.sections).toEqual([]);
  expect(comp.querySelector('#empty').dom.textContent).toContain('暂无管理权限');

  auth.ensureLogin.mockRejectedValue({ code: 'network_error' });
  await comp.instance.refresh();
  expect(comp.data.sections).toEqual([]);
});
