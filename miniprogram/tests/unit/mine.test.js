jest.mock('../../utils/auth');
jest.mock('../../services/user');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const { confirmModal } = require('../helpers/wx');
const { load, render, flush, tap, fire } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/mine/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

function me(extra) {
  return Object.assign({
    id: 1,
    nickname: '张三',
    phone: '13812345678',
    roles: [{ role: 'resident', region_id: null, region_name: null }],
    is_admin: false,
    volunteer: { id: 9, status: 'approved', number: 'FC2025000009', real_name: '张三' },
    consent_version: '2025.1',
    consent_required: false,
    privacy_notice_version: '2025.1',
    points: 120,
    service_hours: 36.5,
  }, extra);
}

async function shown(profile) {
  userService.getMe.mockResolvedValue(profile);
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  return comp;
}

test('renders the profile: nickname, masked phone, roles, volunteer, points, hours', async () => {
  const comp = await shown(me({
    roles: [
      { role: 'resident', region_id: null, region_name: null },
      { role: 'grid_worker', region_id: 5, region_name: '小港村' },
    ],
  }));
  const text = comp.dom.textContent;
  expect(text).toContain('张三');
  expect(comp.querySelector('#phone').dom.textContent).toBe('138****5678');
  expect(text).toContain('小港村网格员、平安志愿者'); // an approved volunteer is never labelled 居民
  expect(comp.querySelector('#volunteer-status').dom.textContent).toBe('已通过');
  expect(text).toContain('FC2025000009');
  expect(comp.querySelector('#points').dom.textContent).toBe('120');
  expect(comp.querySelector('#hours').dom.textContent).toBe('36.5');
  expect(comp.querySelector('#consent-card')).toBeFalsy();
  expect(comp.querySelector('#apply-entry')).toBeFalsy();
  expect(comp.querySelector('#admin-entry')).toBeFalsy();
  expect(auth.setUser).toHaveBeenCalled();
});

test('privacy consent: shows the notice version and posts it', async () => {
  userService.acceptConsent.mockResolvedValue({});
  const comp = await shown(me({ consent_required: true, consent_version: null, privacy_notice_version: '2025.2' }));
  const card = comp.querySelector('#consent-card');
  expect(card.dom.textContent).toContain('2025.2');
  await tap(comp, '#consent-accept');
  await flush();
  expect(userService.acceptConsent).toHaveBeenCalledWith('2025.2');
  expect(comp.querySelector('#consent-card')).toBeFalsy();
});

test('phone binding: getPhoneNumber code → POST /auth/phone', async () => {
  userService.bindPhone.mockResolvedValue({ id: 1, phone: '13900001111' });
  const comp = await shown(me({ phone: null }));
  expect(comp.querySelector('#bind-phone')).toBeTruthy();
  await fire(comp, '#bind-phone', 'getphonenumber', { code: 'phone-code-1' });
  await flush();
  expect(userService.bindPhone).toHaveBeenCalledWith('phone-code-1');
  expect(comp.querySelector('#phone').dom.textContent).toBe('139****1111');
});

test('phone binding denied by the user does not call the API', async () => {
  const comp = await shown(me({ phone: null }));
  await fire(comp, '#bind-phone', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });
  await flush();
  expect(userService.bindPhone).not.toHaveBeenCalled();
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '未获得手机号授权' }));
});

test('注销账号 asks first, then DELETE /me and logs out', async () => {
  userService.deleteMe.mockResolvedValue(null);
  const comp = await shown(me());
  wx.showModal = jest.fn((options) => options.success({ confirm: false, cancel: true }));
  await tap(comp, '#delete-account');
  await flush();
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '注销账号' }));
  expect(userService.deleteMe).not.toHaveBeenCalled();

  wx.showModal = confirmModal();
  await tap(comp, '#delete-account');
  await flush();
  expect(userService.deleteMe).toHaveBeenCalledTimes(1);
  expect(auth.logout).toHaveBeenCalled();
  expect(comp.data.loggedIn).toBe(false);
  expect(comp.querySelector('#login')).toBeTruthy();
});

test('non-volunteers get the application entry; admins the review entry', async () => {
  const comp = await shown(me({
    volunteer: null,
    is_admin: true,
    roles: [{ role: 'village_admin', region_id: 5, region_name: '小港村' }],
  }));
  expect(comp.querySelector('#volunteer-status').dom.textContent).toBe('未申请');
  await tap(comp, '#apply-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/volunteer/apply/index' });
  await tap(comp, '#admin-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/volunteers/list/index' });
});

test('nickname edit → PATCH /me', async () => {
  userService.updateMe.mockResolvedValue({ nickname: '李四' });
  const comp = await shown(me());
  wx.showModal = confirmModal('李四');
  await tap(comp, '#nickname');
  await flush();
  expect(userService.updateMe).toHaveBeenCalledWith({ nickname: '李四' });
  expect(comp.data.nickname).toBe('李四');
});

test('login failure shows the login button', async () => {
  auth.ensureLogin.mockRejectedValue({ code: 'network_error' });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(comp.querySelector('#login')).toBeTruthy();
  expect(userService.getMe).not.toHaveBeenCalled();
});

test('star level and the activity entries', async () => {
  const comp = await shown(me({ star_level: 2, is_admin: true }));
  expect(comp.querySelector('#stars').dom.textContent).toBe('★★');
  await tap(comp, '#my-activities-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/activity/mine/index' });
  await tap(comp, '#my-hours-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/activity/hours/index' });
  await tap(comp, '#manage-activities-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/activities/list/index' });
  const resident = await shown(me({ star_level: 0, is_admin: false }));
  expect(resident.querySelector('#manage-activities-entry')).toBeFalsy();
});

test('my service requests for everyone; the admin hub for staff only', async () => {
  const grid = await shown(me({ roles: [{ role: 'grid_worker', region_id: 7, region_name: '龙津第1网格' }] }));
  await tap(grid, '#my-requests-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/service/mine/index' });
  await tap(grid, '#hub-entry');
  await flush();
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/hub/index' });
  expect(grid.querySelector('#admin-entry')).toBeFalsy();
  const resident = await shown(me({ roles: [] }));
  expect(resident.querySelector('#hub-entry')).toBeFalsy();
  expect(resident.querySelector('#my-requests-entry')).toBeTruthy();
});
