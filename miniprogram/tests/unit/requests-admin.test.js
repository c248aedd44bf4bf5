jest.mock('../../services/service_request');
jest.mock('../../services/upload');

const requestService = require('../../services/service_request');
const uploadService = require('../../services/upload');
const { load, render, flush, tap } = require('../helpers/simulate');

let queueId;
let detailId;
let assignId;
beforeAll(() => {
  queueId = load('subpackages/admin/pages/requests/queue/index');
  detailId = load('subpackages/admin/pages/requests/detail/index');
  assignId = load('subpackages/admin/pages/requests/assign/index');
});

beforeEach(() => {
  uploadService.localCopy.mockResolvedValue('');
  wx.makePhoneCall = jest.fn();
});

function item(overrides) {
  return Object.assign({
    id: 5,
    title: '纠纷：邻里噪音',
    category_name: '纠纷',
    status: 'submitted',
    status_name: '待受理',
    tier: 'village',
    tier_name: '村（社区）',
    tier_region: { id: 4, name: '龙津社区' },
    region: { id: 6, name: '龙津社区第1网格' },
    urgency: 'urgent',
    overdue: true,
    accept_due_at: '2026-03-02T10:00:00+08:00',
    resolve_due_at: '2026-03-03T09:00:00+08:00',
    photos: [],
    anonymous: false,
    requester: { id: 8, nickname: '居民甲' },
    contact_phone: '139****2222',
    timeline: [],
    actions: [],
  }, overrides);
}

test('queue marks overdue and urgent requests and switches tabs with filters', async () => {
  requestService.list.mockResolvedValue({ items: [item(), item({ id: 6, overdue: false, urgency: 'normal' })], total: 2 });
  const comp = render(queueId);
  comp.instance.onLoad({});
  await flush();
  expect(requestService.list).toHaveBeenLastCalledWith({ page: 1, page_size: 20, status: 'submitted', order: 'due' });
  const cards = comp.querySelectorAll('.request');
  expect(cards).toHaveLength(2);
  expect(cards[0].dom.textContent).toContain('超时');
  expect(cards[0].dom.textContent).toContain('紧急');
  expect(cards[1].dom.textContent).not.toContain('超时');
  comp.instance.onTabChange({ detail: { value: 'overdue' } }); // t-tabs' change
  await flush();
  expect(requestService.list).toHaveBeenLastCalledWith({ page: 1, page_size: 20, overdue: true, order: 'due' });
  comp.querySelector('#tier-filter').dispatchEvent('change', { detail: { value: 2 } });
  await flush();
  expect(requestService.list).toHaveBeenLastCalledWith({
    page: 1, page_size: 20, overdue: true, order: 'due', tier: 'township',
  });
});

test('detail shows only the actions the server allows; claim updates the view', async () => {
  requestService.get.mockResolvedValue(item({ actions: [{ action: 'claim' }, { action: 'assign' }, { action: 'reject' }] }));
  requestService.act.mockResolvedValue(item({ status: 'in_progress', status_name: '处理中', overdue: false, actions: [{ action: 'resolve' }], contact_phone: '13911112222', assignee: { id: 3, nickname: '赵敏', role_name: '网格员' } }));
  const comp = render(detailId);
  comp.instance.onLoad({ id: '5' });
  await flush();
  expect(comp.querySelector('#act-claim')).toBeTruthy();
  expect(comp.querySelector('#act-accept')).toBeFalsy();
  expect(comp.querySelector('#act-resolve')).toBeFalsy();
  expect(comp.querySelector('#overdue')).toBeTruthy();
  expect(comp.querySelector('#contact-phone').dom.textContent).toBe('139****2222');
  await tap(comp, '#contact-phone');
  expect(wx.makePhoneCall).not.toHaveBeenCalled(); // masked: nothing to call
  await tap(comp, '#act-claim');
  await flush();
  expect(requestService.act).toHaveBeenCalledWith(5, 'claim', {});
  expect(comp.querySelector('#status').dom.textContent).toBe('处理中');
  expect(comp.querySelector('#act-resolve')).toBeTruthy();
  expect(comp.querySelector('#assignee').dom.textContent).toContain('赵敏');
});

test('anonymous requests show no requester; resolve and escalate need text', async () => {
  requestService.get.mockResolvedValue(item({ anonymous: true, requester: null, contact_phone: null, actions: [{ action: 'resolve' }, { action: 'escalate' }] }));
  requestService.act.mockResolvedValue(item({ tier: 'township', tier_name: '乡镇（街道）', actions: [] }));
  const comp = render(detailId);
  comp.instance.onLoad({ id: '5' });
  await flush();
  expect(comp.querySelector('#requester').dom.textContent).toContain('匿名举报');
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: true, content: '  ' }));
  await tap(comp, '#act-resolve');
  await flush();
  expect(requestService.act).not.toHaveBeenCalled();
  wx.showModal.mockImplementation((opts) => opts.success({ confirm: true, content: '需乡镇协调' }));
  await tap(comp, '#act-escalate');
  await flush();
  expect(requestService.act).toHaveBeenCalledWith(5, 'escalate', { reason: '需乡镇协调' });
});

test('a lost race reloads the request', async () => {
  requestService.get.mockResolvedValue(item({ actions: [{ action: 'claim' }] }));
  requestService.act.mockRejectedValue({ statusCode: 409, code: 'request_changed' });
  const comp = render(detailId);
  comp.instance.onLoad({ id: '5' });
  await flush();
  await tap(comp, '#act-claim');
  await flush();
  expect(requestService.get).toHaveBeenCalledTimes(2);
});

test('assign picker lists suggestions and assigns the chosen handler', async () => {
  requestService.candidates.mockResolvedValue({
    items: [
      { user_id: 11, name: '李**(PA2026)', role: 'volunteer', role_name: '平安志愿者', region_name: '龙津社区', skills: ['调解员'], matched_skills: ['调解员'], open_count: 0, suggested: true, current: false },
      { user_id: 3, name: '赵敏', role: 'grid_worker', role_name: '网格员', region_name: '第1网格', skills: [], matched_skills: [], open_count: 2, suggested: true, current: false },
    ],
  });
  requestService.assign.mockResolvedValue(item({ status: 'assigned' }));
  const comp = render(assignId);
  comp.instance.onLoad({ id: '5' });
  await flush();
  const cards = comp.querySelectorAll('.candidate');
  expect(cards).toHaveLength(2);
  expect(cards[0].dom.textContent).toContain('匹配技能：调解员');
  expect(cards[1].dom.textContent).toContain('在办 2 件');
  await tap(comp, '#confirm');
  await flush();
  expect(requestService.assign).not.toHaveBeenCalled();
  cards[0].dispatchEvent('tap');
  comp.querySelector('#note').dispatchEvent('input', { detail: { value: '请今天处理' } });
  await flush();
  await tap(comp, '#confirm');
  await flush();
  expect(requestService.assign).toHaveBeenCalledWith(5, 11, '请今天处理');
  expect(wx.navigateBack).toHaveBeenCalled();
});
