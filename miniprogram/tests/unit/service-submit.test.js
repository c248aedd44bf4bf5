jest.mock('../../services/service_request');
jest.mock('../../services/region');
jest.mock('../../services/user');
jest.mock('../../services/upload');
jest.mock('../../utils/auth');

const requestService = require('../../services/service_request');
const regionService = require('../../services/region');
const userService = require('../../services/user');
const uploadService = require('../../services/upload');
const subscribe = require('../../utils/subscribe');
const { templateServer, promptedBefore } = require('../helpers/templates');
const auth = require('../../utils/auth');
const { load, render, flush, tap } = require('../helpers/simulate');

let id;
let posted;
beforeAll(() => {
  id = load('pages/service/submit/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue({});
  userService.getMe.mockResolvedValue({ consent_required: false, phone: '13900001111' });
  requestService.categories.mockResolvedValue({ items: [], emergency_notice: '紧急情况请拨打 110（服务端）' });
  regionService.listTownships.mockResolvedValue([{ id: 2, name: '剑光街道' }]);
  regionService.listVillages.mockResolvedValue([{ id: 5, name: '龙津社区' }]);
  regionService.list.mockResolvedValue({ items: [{ id: 6, name: '龙津社区第1网格' }] });
  subscribe.resetTemplateCache();
  posted = [];
  wx.__setRequestHandler(templateServer(posted));
  wx.chooseMedia = jest.fn((opts) => opts.success({ tempFiles: [{ tempFilePath: 'wxfile://a.jpg' }] }));
  wx.chooseLocation = jest.fn((opts) => opts.success({ latitude: 28.1, longitude: 115.7, name: '东门', address: '丰城市龙津路' }));
  wx.makePhoneCall = jest.fn();
  wx.redirectTo = jest.fn();
});

async function openForm(options) {
  const comp = render(id);
  comp.instance.onLoad(options || {});
  await flush();
  return comp;
}

async function pick(comp, selector, value) {
  comp.querySelector(selector).dispatchEvent('change', { detail: { value } });
  await flush();
}

test('shows the 110 notice and offers the call when urgent is chosen', async () => {
  const comp = await openForm();
  expect(comp.querySelector('#emergency-notice').dom.textContent).toContain('110（服务端）');
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: true }));
  await tap(comp, '#urgency-urgent');
  await flush();
  expect(wx.showModal.mock.calls[0][0].title).toContain('110');
  expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '110' });
  expect(comp.data.urgency).toBe('urgent');
});

test('client-side checks name the missing fields', async () => {
  const comp = await openForm();
  await tap(comp, '#submit');
  await flush();
  expect(comp.querySelector('#error-category')).toBeTruthy();
  expect(comp.querySelector('#error-description')).toBeTruthy();
  expect(comp.querySelector('#error-region_id')).toBeTruthy();
  expect(requestService.submit).not.toHaveBeenCalled();
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled(); // nothing to be notified about yet
});

test('submits with photo, location and grid, then asks to subscribe and opens the detail', async () => {
  uploadService.uploadImage.mockResolvedValue({ url: '/api/v1/uploads/202603-abc.jpg' });
  requestService.submit.mockResolvedValue({ id: 42, held: false });
  const comp = await openForm();
  await pick(comp, '#category-picker', 1); // 隐患
  comp.querySelector('#description').dispatchEvent('input', { detail: { value: '东门井盖缺失，夜间危险' } });
  await flush();
  await tap(comp, '#add-photo');
  await flush();
  expect(uploadService.uploadImage).toHaveBeenCalledWith('wxfile://a.jpg');
  expect(comp.data.photos).toHaveLength(1);
  await tap(comp, '#choose-location');
  await flush();
  await pick(comp, '#township-picker', 0);
  await pick(comp, '#village-picker', 0);
  await pick(comp, '#grid-picker', 1);
  await pick(comp, '#contact-picker', 1); // phone, prefilled from /me
  await tap(comp, '#submit');
  await flush(10);
  expect(requestService.submit).toHaveBeenCalledWith({
    category: 'hazard',
    description: '东门井盖缺失，夜间危险',
    urgency: 'normal',
    region_id: 6,
    photos: ['/api/v1/uploads/202603-abc.jpg'],
    anonymous: false,
    contact_method: 'phone',
    contact_phone: '13900001111',
    latitude: 28.1,
    longitude: 115.7,
    address: '丰城市龙津路 东门',
  });
  // Asked from the tap itself, before the request was sent; the answer reached the server.
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T-SR'] }));
  expect(promptedBefore(requestService.submit)).toBe(true);
  expect(posted).toEqual([{ results: { 'T-SR': 'accept' } }]);
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/service/detail/index?id=42' });
});

test('anonymous is offered for tip-offs only and sends no phone', async () => {
  requestService.submit.mockResolvedValue({ id: 7 });
  const comp = await openForm({ region_id: '5' });
  regionService.getRegion.mockResolvedValue({ id: 5, name: '龙津社区', level: 'village' });
  await pick(comp, '#category-picker', 0);
  expect(comp.querySelector('#anonymous')).toBeFalsy();
  await pick(comp, '#category-picker', 3); // 线索
  comp.querySelector('#anonymous').dispatchEvent('change', { detail: { value: true } });
  await flush();
  expect(comp.dom.textContent).toContain('处理人员看不到您的身份');
  comp.setData({ village: { id: 5, name: '龙津社区' } });
  comp.querySelector('#description').dispatchEvent('input', { detail: { value: '有人夜间倾倒垃圾' } });
  await tap(comp, '#submit');
  await flush(10);
  const payload = requestService.submit.mock.calls[0][0];
  expect(payload.anonymous).toBe(true);
  expect(payload.contact_method).toBe('message');
  expect(payload.contact_phone).toBeUndefined();
  expect(payload.region_id).toBe(5);
});

test('a service code preselects the grid', async () => {
  regionService.getRegion.mockImplementation((rid) => Promise.resolve(
    rid === 6
      ? { id: 6, name: '第1网格', level: 'grid', parent_id: 5 }
      : { id: 5, name: '龙津社区', level: 'village' },
  ));
  const comp = await openForm({ scene: encodeURIComponent('r=6') });
  expect(comp.querySelector('#preset-region').dom.textContent).toContain('龙津社区 第1网格');
  expect(comp.data.grids[comp.data.gridIndex].id).toBe(6);
});

test('server field errors land next to the fields', async () => {
  requestService.submit.mockRejectedValue({ statusCode: 422, code: 'validation_error', errors: { description: ['内容过短'] } });
  const comp = await openForm();
  comp.setData({ categoryIndex: 0, description: '需要帮助的情况', village: { id: 5 } });
  await tap(comp, '#submit');
  await flush(10);
  expect(comp.querySelector('#error-description').dom.textContent).toContain('内容过短');
  // The prompt came first, from the tap; the refusal of the request does not undo it.
  expect(promptedBefore(requestService.submit)).toBe(true);
});
