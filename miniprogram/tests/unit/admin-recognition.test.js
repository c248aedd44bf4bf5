jest.mock('../../services/recognition', () => {
  const actual = jest.requireActual('../../services/recognition');
  const mocked = {};
  Object.keys(actual).forEach((key) => {
    mocked[key] = key === 'newIdempotencyKey' ? actual[key] : jest.fn();
  });
  return mocked;
});
jest.mock('../../services/volunteer');
jest.mock('../../services/team');
jest.mock('../../services/region');

const recognition = require('../../services/recognition');
const volunteerService = require('../../services/volunteer');
const { confirmModal } = require('../helpers/wx');
const { load, render, flush, tap } = require('../helpers/simulate');

describe('nominate', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/nominations/create/index');
  });

  test('pick a type and a volunteer, validate, submit', async () => {
    recognition.awardTypes.mockResolvedValue({
      items: [{ id: 3, name: '月度平安之星', tier: 'village', tier_name: '村级', target_kind: 'volunteer', points: 20 }],
    });
    volunteerService.list.mockResolvedValue({ items: [{ id: 11, real_name: '林**', number: 'PA1', region_name: '龙津社区' }] });
    recognition.nominate.mockResolvedValue({ id: 1, status: 'pending' });
    const comp = render(id);
    await comp.instance.onLoad();
    await flush();
    expect(recognition.awardTypes).toHaveBeenCalledWith({ active: true, page_size: 100 });

    await tap(comp, '#submit');
    await flush();
    expect(recognition.nominate).not.toHaveBeenCalled();
    expect(comp.querySelector('#error-award_type_id').dom.textContent).toBe('请选择表彰类型');

    comp.querySelector('#type').dispatchEvent('change', { detail: { value: '0' } });
    await flush();
    expect(volunteerService.list).toHaveBeenCalledWith({ status: 'approved', page_size: 100 });
    comp.querySelector('#target').dispatchEvent('change', { detail: { value: '0' } });
    comp.querySelector('#reason').dispatchEvent('input', { detail: { value: '连续三个月参加夜巡' } });
    comp.querySelector('#period').dispatchEvent('input', { detail: { value: '2026年3月' } });
    await tap(comp, '#submit');
    await flush();
    expect(recognition.nominate).toHaveBeenCalledWith({
      award_type_id: 3,
      target_id: 11,
      reason: '连续三个月参加夜巡',
      period_label: '2026年3月',
    });
    expect(wx.navigateBack).toHaveBeenCalled();
  });

  test('server field errors are shown next to the fields', async () => {
    recognition.awardTypes.mockResolvedValue({ items: [{ id: 3, name: '星', tier: 'village', tier_name: '村级', target_kind: 'volunteer', points: 0 }] });
    volunteerService.list.mockResolvedValue({ items: [{ id: 11, real_name: '林**' }] });
    recognition.nominate.mockRejectedValue({ code: 'validation_error', errors: { reason: ['推荐理由需人工审核'] } });
    const comp = render(id);
    await comp.instance.onLoad();
    comp.querySelector('#type').dispatchEvent('change', { detail: { value: '0' } });
    await flush();
    comp.querySelector('#target').dispatchEvent('change', { detail: { value: '0' } });
    comp.querySelector('#reason').dispatchEvent('input', { detail: { value: '事迹待审核内容' } });
    await tap(comp, '#submit');
    await flush();
    expect(comp.querySelector('#error-reason').dom.textContent).toBe('推荐理由需人工审核');
    expect(wx.navigateBack).not.toHaveBeenCalled();
  });
});

describe('approval queue', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/nominations/list/index');
  });

  const PENDING = {
    id: 21,
    award_name: '月度平安之星',
    status: 'pending',
    status_name: '待审批',
    target_kind_name: '志愿者',
    target_name: '林**',
    region_name: '龙津社区',
    tier_name: '村级',
    period_label: '2026年3月',
    nominated_by_name: '陈会长',
    reason: '夜巡',
    created_at: '2026-03-10T10:00:00+08:00',
  };

  test('approve with a stable idempotency key; the item leaves the queue', async () => {
    recognition.nominations.mockResolvedValue({ items: [PENDING, Object.assign({}, PENDING, { id: 22 })], total: 2 });
    recognition.approveNomination
      .mockRejectedValueOnce({ code: 'network_error', statusCode: 0 })
      .mockResolvedValueOnce(Object.assign({}, PENDING, { status: 'approved' }));
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(recognition.nominations).toHaveBeenCalledWith({ page: 1, page_size: 20, actionable: true });
    wx.showModal = confirmModal('同意');
    await tap(comp, '#approve-21');
    await flush();
    await tap(comp, '#approve-21');
    await flush();
    const [first, second] = recognition.approveNomination.mock.calls;
    expect(first[0]).toBe(21);
    expect(first[1]).toBe('同意');
    expect(first[2]).toMatch(/^approve-21-/);
    expect(second[2]).toBe(first[2]); // the retry reuses the key
    expect(comp.querySelectorAll('.nomination')).toHaveLength(1);
  });

  test('reject needs a reason; other tabs list by status', async () => {
    recognition.nominations.mockResolvedValue({ items: [PENDING], total: 1 });
    recognition.rejectNomination.mockResolvedValue(Object.assign({}, PENDING, { status: 'rejected' }));
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    wx.showModal = confirmModal('');
    await tap(comp, '#reject-21');
    await flush();
    expect(recognition.rejectNomination).not.toHaveBeenCalled();
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请填写不通过的原因' }));
    wx.showModal = confirmModal('材料不足');
    await tap(comp, '#reject-21');
    await flush();
    expect(recognition.rejectNomination).toHaveBeenCalledWith(21, '材料不足');
    await tap(comp, '#tab-approved');
    await flush();
    expect(recognition.nominations).toHaveBeenLastCalledWith({ page: 1, page_size: 20, status: 'approved' });
  });
});

describe('points adjustment', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/points/adjust/index');
  });

  test('search, pick, deduct with confirmation; one key per form', async () => {
    volunteerService.list.mockResolvedValue({ items: [{ user_id: 7, real_name: '孙**', number: 'PA7', region_name: '龙津社区' }] });
    recognition.adjustments.mockResolvedValue({ items: [] });
    recognition.adjustPoints
      .mockRejectedValueOnce({ code: 'network_error', statusCode: 0 })
      .mockResolvedValueOnce({ id: 1, balance: 5 });
    const comp = render(id);
    comp.instance.onLoad({});
    await tap(comp, '#submit');
    await flush();
    expect(comp.querySelector('#error-user_id').dom.textContent).toBe('请选择志愿者');

    comp.querySelector('#search').dispatchEvent('input', { detail: { value: '孙' } });
    await tap(comp, '#search-btn');
    await flush();
    expect(volunteerService.list).toHaveBeenCalledWith({ status: 'approved', q: '孙', page_size: 20 });
    await tap(comp, '.candidate');
    await flush();
    expect(comp.querySelector('#selected').dom.textContent).toContain('孙**');
    await tap(comp, '#dir-deduct');
    comp.querySelector('#amount').dispatchEvent('input', { detail: { value: '3' } });
    comp.querySelector('#reason').dispatchEvent('input', { detail: { value: '值守迟到' } });
    wx.showModal = confirmModal();
    await tap(comp, '#submit');
    await flush();
    await tap(comp, '#submit');
    await flush();
    const [first, second] = recognition.adjustPoints.mock.calls;
    expect(first[0]).toEqual({ user_id: 7, amount: -3, reason: '值守迟到' });
    expect(second[1]).toBe(first[1]);
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已调整，余额 5' }));
  });
});
