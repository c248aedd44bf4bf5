jest.mock('../../services/activity');

const activityService = require('../../services/activity');
const { load, render, flush, tap, fire, find, textOf } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/activity/list/index');
});

function activities(from, count, extra) {
  return Array.from({ length: count }, (_, i) => Object.assign({
    id: from + i,
    title: `活动${from + i}`,
    category: 'patrol',
    region_name: '小港村',
    start_at: '2025-03-08T09:00:00+08:00',
    end_at: '2025-03-08T11:30:00+08:00',
    place_name: '村委会',
    capacity: 10,
    enrolled_count: from + i === 1 ? 10 : 3,
    waitlist_enabled: false,
    status: 'published',
    phase: 'enrolling',
    points_mode: 'per_hour',
    points_value: 10,
  }, extra || {}));
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
  expect(first).toContain('巡逻');
  expect(first).toContain('03-08 09:00 至 11:30');
  expect(first).toContain('名额已满');
  expect(first).toContain('10 积分/小时');
  expect(comp.querySelectorAll('.activity')[1].dom.textContent).toContain('报名中');
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

test('category tabs use the API codes', async () => {
  activityService.list.mockResolvedValue({ items: [], total: 0 });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  const labels = comp.data.tabs.map((t) => t.label);
  expect(labels).toEqual(['全部', '附近', '巡逻', '宣传', '调解', '安全检查', '便民服务', '信息采集', '培训']);
  expect(comp.dom.textContent).toContain('安全检查');
  await comp.instance.onTabChange({ detail: { value: 'safety_check' } });
  await flush();
  expect(activityService.list).toHaveBeenLastCalledWith({ page: 1, page_size: 10, category: 'safety_check' });
  await tap(comp, '#open-only');
  expect(activityService.list).toHaveBeenLastCalledWith({
    page: 1, page_size: 10, category: 'safety_check', open: true,
  });
});

test('near me asks for the location and sorts by distance', async () => {
  wx.getLocation = jest.fn((opts) => opts.success({ latitude: 28.19, longitude: 115.77 }));
  activityService.list
    .mockResolvedValueOnce({ items: [], total: 0 })
    .mockResolvedValueOnce({ items: activities(1, 1, { distance_m: 420, enrolled_count: 2 }), total: 1 });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  await comp.instance.onTabChange({ detail: { value: 'near' } });
  await flush();
  expect(wx.getLocation).toHaveBeenCalledWith(expect.objectContaining({ type: 'gcj02' }));
  // Only a coarse position (about 1 km) leaves the phone for a "near me" list.
  expect(wx.getLocation.mock.calls[0][0].isHighAccuracy).toBeFalsy();
  expect(activityService.list).toHaveBeenLastCalledWith({
    page: 1, page_size: 10, latitude: 28.19, longitude: 115.77, radius_km: 10, sort: 'distance',
  });
  expect(comp.querySelector('.activity').dom.textContent).toContain('距您420米');
  await tap(comp, '.activity');
  await flush();
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/detail/index?id=1' });
});

test('near me without a location permission stays put and offers the settings page', async () => {
  wx.getLocation = jest.fn((opts) => opts.fail({ errMsg: 'getLocation:fail auth deny' }));
  activityService.list.mockResolvedValue({ items: [], total: 0 });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  await comp.instance.onTabChange({ detail: { value: 'near' } });
  await flush();
  expect(comp.data.tab).toBe('all');
  expect(textOf(comp, '#location >>> #location-help')).toContain('未允许使用位置');
  expect(find(comp, '#location >>> #open-setting')).toBeTruthy();
  // Allowed in the settings page: the near-me list loads.
  wx.getLocation = jest.fn((opts) => opts.success({ latitude: 28.19, longitude: 115.77 }));
  await fire(comp, '#location >>> #open-setting', 'opensetting', { authSetting: { 'scope.userLocation': true } });
  await flush();
  expect(comp.data.tab).toBe('near');
  expect(find(comp, '#location >>> #location-help')).toBeFalsy();
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
  activityService.list.mockRejectedValueOnce({ code: 'network_error', message: '网络异常，请稍后重试' });
  const comp = render(id);
  comp.instance.onLoad();
  await flush();
  expect(comp.dom.textContent).toContain('网络异常');
  activityService.list.mockResolvedValueOnce({ items: activities(1, 1), total: 1 });
  await tap(comp, '#state >>> #retry');
  await flush();
  expect(comp.querySelectorAll('.activity')).toHaveLength(1);
});
