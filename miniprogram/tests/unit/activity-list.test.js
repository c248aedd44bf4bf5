jest.mock('../../services/activity');

const activityService = require('../../services/activity');
const { load, render, flush } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/activity/list/index');
});

function activities(from, count) {
  return Array.from({ length: count }, (_, i) => ({
    id: from + i,
    title: `活动${from + i}`,
    category: 'patrol',
    region_name: '小港村',
    start_at: '2025-03-08T09:00:00+08:00',
    end_at: '2025-03-08T11:30:00+08:00',
    place_name: '村委会',
    capacity: 10,
    enrolled_count: from + i === 1 ? 10 : 3,
    status: 'published',
  }));
}

test('lists published activities and pages on reaching the bottom', async () => {
  activityService.list
    .mockResolvedValueOnce({ items: activities(1, 10), total: 12, page: 1, page_size: 10 })
    .mockResolvedValueOnce({ items: activities(11, 2), total: 12, page: 2, page_size: 10 });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(activityService.list).toHaveBeenCalledWith({ page: 1, page_size: 10 });
  expect(comp.querySelectorAll('.activity')).toHaveLength(10);
  const first = comp.querySelector('.activity').dom.textContent;
  expect(first).toContain('活动1');
  expect(first).toContain('治安巡防');
  expect(first).toContain('03-08 09:00 至 11:30');
  expect(first).toContain('名额已满');
  expect(comp.data.finished).toBe(false);

  comp.instance.onReachBottom();
  await flush();
  expect(activityService.list).toHaveBeenLastCalledWith({ page: 2, page_size: 10 });
  expect(comp.querySelectorAll('.activity')).toHaveLength(12);
  expect(comp.data.finished).toBe(true);

  comp.instance.onReachBottom();
  await flush();
  expect(activityService.list).toHaveBeenCalledTimes(2);
  expect(comp.dom.textContent).toContain('没有更多了');
});

test('empty list and pull-down refresh', async () => {
  activityService.list.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 10 });
  const comp = render(id);
  comp.instance.onPullDownRefresh();
  await flush();
  expect(comp.dom.textContent).toContain('暂无活动');
  expect(wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('a failed load offers a retry', async () => {
  activityService.list.mockRejectedValueOnce({ code: 'network_error', message: '网络异常,请稍后重试' });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  const retry = comp.querySelector('.retry');
  expect(retry.dom.textContent).toContain('点击重试');
  activityService.list.mockResolvedValueOnce({ items: activities(1, 1), total: 1 });
  retry.dispatchEvent('tap');
  await flush();
  expect(comp.querySelectorAll('.activity')).toHaveLength(1);
});
