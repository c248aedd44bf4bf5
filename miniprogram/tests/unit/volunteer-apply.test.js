jest.mock('../../utils/auth');
jest.mock('../../services/user');
jest.mock('../../services/region');
jest.mock('../../services/team');
jest.mock('../../services/volunteer');

const auth = require('../../utils/auth');
const userService = require('../../services/user');
const regionService = require('../../services/region');
const teamService = require('../../services/team');
const volunteerService = require('../../services/volunteer');
const subscribe = require('../../utils/subscribe');
const { templateServer, promptedBefore } = require('../helpers/templates');
const { idCheckChar } = require('../../utils/validators');
const { load, render, flush, tap } = require('../helpers/simulate');

const VALID_ID = `36098119900101123${idCheckChar('36098119900101123')}`;

let id;
let posted;
beforeAll(() => {
  id = load('pages/volunteer/apply/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
  subscribe.resetTemplateCache();
  posted = [];
  wx.__setRequestHandler(templateServer(posted));
  userService.getMe.mockResolvedValue({
    id: 1, phone: null, volunteer: null, consent_required: false, privacy_notice_version: '2025.1',
  });
  regionService.listTownships.mockResolvedValue([
    { id: 10, name: '剑光街道', level: 'township' },
    { id: 20, name: '小港镇', level: 'township' },
  ]);
  regionService.listVillages.mockResolvedValue([
    { id: 201, name: '小港村', level: 'village', parent_id: 20 },
    { id: 202, name: '湖塘村', level: 'village', parent_id: 20 },
  ]);
  teamService.list.mockResolvedValue({ items: [{ id: 7, name: '小港村平安巡逻队' }], total: 1 });
});

async function openForm() {
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  return comp;
}

async function fill(comp, { realName = '张三', phone = '13812345678', idNumber = VALID_ID } = {}) {
  comp.querySelector('#real_name').dispatchEvent('input', { detail: { value: realName } });
  comp.querySelector('#phone').dispatchEvent('input', { detail: { value: phone } });
  comp.querySelector('#id_number').dispatchEvent('input', { detail: { value: idNumber } });
  comp.querySelector('#township-picker').dispatchEvent('change', { detail: { value: '1' } });
  await flush();
  comp.querySelector('#village-picker').dispatchEvent('change', { detail: { value: '0' } });
  await flush();
  comp.querySelector('#team-picker').dispatchEvent('change', { detail: { value: '1' } });
  comp.querySelector('#skills').dispatchEvent('change', { detail: { value: ['巡防员', '调解员'] } });
  comp.querySelector('#availability').dispatchEvent('input', { detail: { value: '周末全天' } });
  await flush();
}

test('cascading township → village → team pickers', async () => {
  const comp = await openForm();
  expect(regionService.listTownships).toHaveBeenCalled();
  comp.querySelector('#township-picker').dispatchEvent('change', { detail: { value: '1' } });
  await flush();
  expect(regionService.listVillages).toHaveBeenCalledWith(20);
  expect(comp.data.villages).toHaveLength(2);
  comp.querySelector('#village-picker').dispatchEvent('change', { detail: { value: '1' } });
  await flush();
  expect(teamService.list).toHaveBeenCalledWith({ region_id: 202, page_size: 100 }, { silent: true });
  expect(comp.data.teams.map((t) => t.name)).toEqual(['暂不加入服务队', '小港村平安巡逻队']);
  expect(comp.querySelector('#village-picker').dom.textContent).toContain('湖塘村');
});

test('shows all twelve skills', async () => {
  const comp = await openForm();
  expect(comp.querySelectorAll('.skill')).toHaveLength(12);
  expect(comp.querySelector('#skills').dom.textContent).toContain('心理疏导');
});

test('submits a valid application', async () => {
  volunteerService.apply.mockResolvedValue({ id: 99, status: 'pending' });
  const comp = await openForm();
  await fill(comp);
  await tap(comp, '#submit');
  await flush();
  expect(volunteerService.apply).toHaveBeenCalledWith({
    real_name: '张三',
    phone: '13812345678',
    id_number: VALID_ID,
    village_id: 201,
    skills: ['巡防员', '调解员'],
    availability: '周末全天',
    team_id: 7,
  });
  expect(comp.querySelector('#existing-status').dom.textContent).toContain('待审核');
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '申请已提交' }));
  // The applicant was asked for the review-result notice by the tap itself, before the
  // application was sent (templates loaded when the page opened).
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T-REVIEW'] }));
  expect(promptedBefore(volunteerService.apply)).toBe(true);
  expect(posted).toEqual([{ results: { 'T-REVIEW': 'accept' } }]);
});

test('a switched-off subscription (prompt fails) never blocks the application', async () => {
  wx.__subscribeFail = { errMsg: 'requestSubscribeMessage:fail 用户已关闭订阅消息', errCode: 20004 };
  volunteerService.apply.mockResolvedValue({ id: 99, status: 'pending' });
  const comp = await openForm();
  await fill(comp);
  await tap(comp, '#submit');
  await flush();
  expect(volunteerService.apply).toHaveBeenCalled();
  expect(posted).toEqual([]);
  expect(subscribe.lastSubscribeOutcome()).toMatchObject({ result: 'fail', errCode: 20004 });
});

test('client-side checks catch a bad check digit and missing fields', async () => {
  const comp = await openForm();
  const badId = VALID_ID.slice(0, 17) + (VALID_ID[17] === '1' ? '2' : '1');
  comp.querySelector('#real_name').dispatchEvent('input', { detail: { value: '张三' } });
  comp.querySelector('#phone').dispatchEvent('input', { detail: { value: '1381234' } });
  comp.querySelector('#id_number').dispatchEvent('input', { detail: { value: badId } });
  await flush();
  await tap(comp, '#submit');
  await flush();
  expect(volunteerService.apply).not.toHaveBeenCalled();
  expect(comp.querySelector('#error-id_number').dom.textContent).toContain('身份证号码有误');
  expect(comp.querySelector('#error-phone')).toBeTruthy();
  expect(comp.querySelector('#error-village_id')).toBeTruthy();
  expect(comp.querySelector('#error-skills')).toBeTruthy();
  expect(comp.querySelector('#error-availability')).toBeTruthy();
  expect(comp.querySelector('#error-real_name')).toBeFalsy();

  // Typing into a field clears its error.
  comp.querySelector('#phone').dispatchEvent('input', { detail: { value: '13812345678' } });
  await flush();
  expect(comp.querySelector('#error-phone')).toBeFalsy();
});

test('server 422 field errors appear next to the fields', async () => {
  volunteerService.apply.mockRejectedValue({
    code: 'validation_error',
    message: '提交的信息有误',
    statusCode: 422,
    errors: { id_number: ['该身份证号已申请'], json: { phone: ['手机号已被使用'] } },
  });
  const comp = await openForm();
  await fill(comp);
  await tap(comp, '#submit');
  await flush();
  expect(comp.querySelector('#error-phone').dom.textContent).toBe('手机号已被使用');
  expect(comp.data.existingStatus).toBe('');
  expect(comp.data.submitting).toBe(false);
});

test('server errors in the plain {field: [msg]} shape', async () => {
  volunteerService.apply.mockRejectedValue({
    code: 'validation_error', message: '提交的信息有误', statusCode: 422,
    errors: { id_number: ['该身份证号已申请'] },
  });
  const comp = await openForm();
  await fill(comp);
  await tap(comp, '#submit');
  await flush();
  expect(comp.querySelector('#error-id_number').dom.textContent).toBe('该身份证号已申请');
});

test('consent is required before submitting and is posted first', async () => {
  userService.getMe.mockResolvedValue({
    id: 1, phone: '13700001111', volunteer: null, consent_required: true, privacy_notice_version: '2025.2',
  });
  userService.acceptConsent.mockResolvedValue({});
  volunteerService.apply.mockResolvedValue({ id: 99, status: 'pending' });
  const comp = await openForm();
  expect(comp.data.form.phone).toBe('13700001111');
  await fill(comp, { phone: '13700001111' });
  await tap(comp, '#submit');
  await flush();
  expect(volunteerService.apply).not.toHaveBeenCalled();
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请先阅读并同意隐私保护指引' }));

  comp.querySelector('#agree').dispatchEvent('change', { detail: { value: ['agree'] } });
  await flush();
  await tap(comp, '#submit');
  await flush();
  expect(userService.acceptConsent).toHaveBeenCalledWith('2025.2');
  expect(volunteerService.apply).toHaveBeenCalledTimes(1);
  expect(userService.acceptConsent.mock.invocationCallOrder[0])
    .toBeLessThan(volunteerService.apply.mock.invocationCallOrder[0]);
});

test('an existing pending application hides the form', async () => {
  userService.getMe.mockResolvedValue({ id: 1, volunteer: { id: 9, status: 'pending' }, consent_required: false });
  const comp = await openForm();
  expect(comp.querySelector('#existing-status').dom.textContent).toContain('待审核');
  expect(comp.querySelector('#submit')).toBeFalsy();
});
