jest.mock('../../services/service_request');
jest.mock('../../services/upload');
jest.mock('../../utils/auth');

const requestService = require('../../services/service_request');
const uploadService = require('../../services/upload');
const auth = require('../../utils/auth');
const { load, render, flush, tap } = require('../helpers/simulate');

let detailId;
let mineId;
beforeAll(() => {
  detailId = load('pages/service/detail/index');
  mineId = load('pages/service/mine/index');
});

function request(overrides) {
  return Object.assign({
    id: 9,
    number: 'FW20260302000009',
    category_name: '隐患',
    title: '隐患：东门井盖缺失',
    description: '东门井盖缺失',
    status: 'resolved',
    status_name: '已办结',
    tier: 'township',
    tier_name: '乡镇（街道）',
    urgency: 'normal',
    created_at: '2026-03-02T09:00:00+08:00',
    photos: ['/api/v1/uploads/202603-aaa.png'],
    assignee: { id: 3, nickname: '赵敏', role_name: '网格员' },
    emergency_notice: '紧急情况请拨打 110',
    timeline: [
      { id: 1, action_name: '提交请求', actor_label: '请求人', tier_name: '村（社区）', note: '', created_at: '2026-03-02T09:00:00+08:00' },
      { id: 2, action_name: '逐级上报', actor_label: '系统', tier_name: '乡镇（街道）', note: '超过受理时限', created_at: '2026-03-02T10:01:00+08:00' },
    ],
    actions: [{ action: 'rate' }, { action: 'reopen' }, { action: 'note' }],
  }, overrides);
}

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue({});
  uploadService.localCopy.mockResolvedValue('wxfile://tmp.png');
});

test('detail shows the timeline, the tier and downloads photos', async () => {
  requestService.get.mockResolvedValue(request());
  const comp = render(detailId);
  comp.instance.onLoad({ id: '9' });
  await flush();
  expect(requestService.get).toHaveBeenCalledWith(9);
  expect(comp.querySelector('#tier').dom.textContent).toContain('乡镇（街道）');
  expect(comp.querySelectorAll('.event')).toHaveLength(2);
  expect(comp.dom.textContent).toContain('超过受理时限');
  expect(comp.dom.textContent).toContain('03-02 10:01'.slice(0, 5));
  expect(uploadService.localCopy).toHaveBeenCalledWith('/api/v1/uploads/202603-aaa.png');
  expect(comp.data.photoPaths).toEqual(['wxfile://tmp.png']);
  expect(comp.querySelector('#cancel')).toBeFalsy();
});

test('rating needs a score, then closes the request', async () => {
  requestService.get.mockResolvedValue(request());
  requestService.act.mockResolvedValue(request({ status: 'closed', status_name: '已关闭', rating: 4, actions: [] }));
  const comp = render(detailId);
  comp.instance.onLoad({ id: '9' });
  await flush();
  await tap(comp, '#rate');
  await flush();
  expect(requestService.act).not.toHaveBeenCalled();
  comp.instance.onRateChange({ detail: { value: 4 } }); // t-rate's change
  comp.instance.onCommentInput({ detail: { value: '很及时' } }); // t-textarea's change
  await flush();
  await tap(comp, '#rate');
  await flush();
  expect(requestService.act).toHaveBeenCalledWith(9, 'rating', { score: 4, comment: '很及时' });
  expect(comp.querySelector('#status').dom.textContent).toBe('已关闭');
  expect(comp.querySelector('#rate-card')).toBeFalsy();
});

test('reopen asks for the reason', async () => {
  requestService.get.mockResolvedValue(request());
  requestService.act.mockResolvedValue(request({ status: 'reopened', status_name: '已重新打开', actions: [] }));
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: true, content: '井盖又松了' }));
  const comp = render(detailId);
  comp.instance.onLoad({ id: '9' });
  await flush();
  await tap(comp, '#reopen');
  await flush();
  expect(requestService.act).toHaveBeenCalledWith(9, 'reopen', { reason: '井盖又松了' });
  expect(comp.querySelector('#status').dom.textContent).toBe('已重新打开');
});

test('cancel is offered before work starts and confirmed first', async () => {
  requestService.get.mockResolvedValue(request({ status: 'submitted', actions: [{ action: 'cancel' }] }));
  requestService.act.mockResolvedValue(request({ status: 'cancelled', status_name: '已撤销', actions: [] }));
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: false }));
  const comp = render(detailId);
  comp.instance.onLoad({ id: '9' });
  await flush();
  await tap(comp, '#cancel');
  await flush();
  expect(requestService.act).not.toHaveBeenCalled();
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: true }));
  await tap(comp, '#cancel');
  await flush();
  expect(requestService.act).toHaveBeenCalledWith(9, 'cancel', {});
});

test('my requests list pages and shows status and escalation', async () => {
  requestService.list.mockResolvedValue({
    items: [request({ id: 1, status: 'submitted', status_name: '待受理', tier: 'city', tier_name: '市' })],
    total: 1,
  });
  const comp = render(mineId);
  comp.instance.onLoad();
  await flush();
  expect(requestService.list).toHaveBeenCalledWith({ scope: 'mine', page: 1, page_size: 10 });
  expect(comp.querySelectorAll('.request')).toHaveLength(1);
  expect(comp.dom.textContent).toContain('已上报至市');
  await tap(comp, '.request');
  await flush();
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/service/detail/index?id=1' });
});
