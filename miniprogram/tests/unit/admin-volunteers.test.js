jest.mock('../../services/volunteer');

const volunteerService = require('../../services/volunteer');
const { confirmModal } = require('../helpers/wx');
const { load, render, flush, tap } = require('../helpers/simulate');

function volunteers(from, count, status = 'pending') {
  return Array.from({ length: count }, (_, i) => ({
    id: from + i,
    real_name: `志愿者${from + i}`,
    phone: '13812345678',
    status,
    village_name: '小港村',
    skills: ['巡防员'],
    created_at: '2025-03-08T01:00:00Z',
  }));
}

describe('admin volunteer list', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/volunteers/list/index');
  });

  test('starts on 待审核， pages on scroll, switches tabs', async () => {
    volunteerService.list
      .mockResolvedValueOnce({ items: volunteers(1, 20), total: 25, page: 1, page_size: 20 })
      .mockResolvedValueOnce({ items: volunteers(21, 5), total: 25, page: 2, page_size: 20 })
      .mockResolvedValueOnce({ items: volunteers(100, 1, 'approved'), total: 1, page: 1, page_size: 20 });
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(comp.querySelectorAll('.tab').map((t) => t.dom.textContent)).toEqual(['待审核', '已通过', '已驳回', '已暂停']);
    expect(volunteerService.list).toHaveBeenCalledWith({ status: 'pending', q: '', page: 1, page_size: 20 });
    expect(comp.querySelectorAll('.volunteer')).toHaveLength(20);
    expect(comp.querySelector('.volunteer').dom.textContent).toContain('138****5678');

    comp.instance.onReachBottom();
    await flush();
    expect(volunteerService.list).toHaveBeenLastCalledWith({ status: 'pending', q: '', page: 2, page_size: 20 });
    expect(comp.querySelectorAll('.volunteer')).toHaveLength(25);
    expect(comp.data.finished).toBe(true);
    comp.instance.onReachBottom();
    await flush();
    expect(volunteerService.list).toHaveBeenCalledTimes(2);

    await tap(comp, '#tab-approved');
    await flush();
    expect(volunteerService.list).toHaveBeenLastCalledWith({ status: 'approved', q: '', page: 1, page_size: 20 });
    expect(comp.querySelectorAll('.volunteer')).toHaveLength(1);
    expect(comp.querySelector('.tab.active').dom.textContent).toBe('已通过');
  });

  test('search and open a detail', async () => {
    volunteerService.list.mockResolvedValue({ items: volunteers(5, 1), total: 1 });
    const comp = render(id);
    comp.instance.onLoad({ status: 'pending' });
    await flush();
    comp.querySelector('#search').dispatchEvent('input', { detail: { value: '张三 ' } });
    comp.querySelector('#search').dispatchEvent('confirm', { detail: { value: '张三 ' } });
    await flush();
    expect(volunteerService.list).toHaveBeenLastCalledWith({ status: 'pending', q: '张三', page: 1, page_size: 20 });
    await tap(comp, '.volunteer');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/admin/pages/volunteers/detail/index?id=5' });
  });
});

describe('admin volunteer detail', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/volunteers/detail/index');
  });

  const PENDING = {
    id: 5,
    real_name: '张三',
    phone: '13812345678',
    id_number: '360981********1234',
    status: 'pending',
    village_name: '小港村',
    skills: ['巡防员', '调解员'],
    availability: '周末全天',
  };

  async function open(v) {
    volunteerService.get.mockResolvedValue(v);
    const comp = render(id);
    comp.instance.onLoad({ id: String(v.id) });
    await flush();
    return comp;
  }

  test('approve after confirmation', async () => {
    volunteerService.approve.mockResolvedValue(Object.assign({}, PENDING, { status: 'approved', number: 'FC0005' }));
    const comp = await open(PENDING);
    expect(volunteerService.get).toHaveBeenCalledWith('5');
    expect(comp.dom.textContent).toContain('巡防员、调解员');
    expect(comp.querySelector('#action-approve')).toBeTruthy();
    expect(comp.querySelector('#action-reject')).toBeTruthy();
    wx.showModal = confirmModal();
    await tap(comp, '#action-approve');
    await flush();
    expect(volunteerService.approve).toHaveBeenCalledWith('5', '');
    expect(comp.querySelector('#status').dom.textContent).toBe('已通过');
    expect(comp.querySelector('#action-suspend')).toBeTruthy();
    expect(comp.querySelector('#action-approve')).toBeFalsy();
  });

  test('reject needs a reason', async () => {
    volunteerService.reject.mockResolvedValue(Object.assign({}, PENDING, { status: 'rejected', decision_reason: '信息不实' }));
    const comp = await open(PENDING);
    wx.showModal = confirmModal();
    await tap(comp, '#action-reject');
    await flush();
    expect(volunteerService.reject).not.toHaveBeenCalled();
    expect(comp.querySelector('#reason-error').dom.textContent).toContain('驳回原因');

    comp.querySelector('#reason').dispatchEvent('input', { detail: { value: '信息不实' } });
    await tap(comp, '#action-reject');
    await flush();
    expect(volunteerService.reject).toHaveBeenCalledWith('5', '信息不实');
    expect(comp.querySelector('#status').dom.textContent).toBe('已驳回');
    expect(comp.dom.textContent).toContain('信息不实');
    expect(comp.querySelectorAll('.action')).toHaveLength(0);
  });

  test('suspend an approved volunteer with a reason; cancelling the modal does nothing', async () => {
    const approved = Object.assign({}, PENDING, { status: 'approved', number: 'FC0005' });
    volunteerService.suspend.mockResolvedValue(Object.assign({}, approved, { status: 'suspended' }));
    const comp = await open(approved);
    comp.querySelector('#reason').dispatchEvent('input', { detail: { value: '长期未参加活动' } });
    wx.showModal = jest.fn((options) => options.success({ confirm: false, cancel: true }));
    await tap(comp, '#action-suspend');
    await flush();
    expect(volunteerService.suspend).not.toHaveBeenCalled();

    wx.showModal = confirmModal();
    await tap(comp, '#action-suspend');
    await flush();
    expect(volunteerService.suspend).toHaveBeenCalledWith('5', '长期未参加活动');
    expect(comp.querySelector('#status').dom.textContent).toBe('已暂停');
    expect(comp.querySelector('#action-approve').dom.textContent).toBe('恢复资格');
  });

  test('a volunteer outside the scope (404) shows not found', async () => {
    volunteerService.get.mockRejectedValue({ code: 'not_found', statusCode: 404, message: '不存在' });
    const comp = render(id);
    comp.instance.onLoad({ id: '77' });
    await flush();
    expect(comp.dom.textContent).toContain('未找到该志愿者');
  });
});
