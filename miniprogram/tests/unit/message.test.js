jest.mock('../../utils/auth');
jest.mock('../../services/notification');

const auth = require('../../utils/auth');
const notificationService = require('../../services/notification');
const { load, render, flush } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/message/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

const ITEMS = [
  { id: 1, title: '志愿者申请已通过', content: '恭喜您成为平安志愿者', created_at: '2025-03-08T01:00:00Z', read_at: null },
  { id: 2, title: '活动提醒', content: '明天 9:00 巡逻', created_at: '2025-03-07T01:00:00Z', read_at: null },
  { id: 3, title: '旧消息', content: '已读', created_at: '2025-03-06T01:00:00Z', read_at: '2025-03-06T02:00:00Z' },
];

test('lists the inbox and sets the unread badge on the 消息 tab', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, page: 1, page_size: 20 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(notificationService.list).toHaveBeenCalledWith({ page: 1, page_size: 20 }, { silent: true });
  expect(comp.querySelectorAll('.message')).toHaveLength(3);
  expect(comp.querySelectorAll('.dot')).toHaveLength(2);
  expect(wx.setTabBarBadge).toHaveBeenCalledWith({ index: 2, text: '2' });
});

test('opening an unread message marks it read and lowers the badge', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, unread: 2 });
  notificationService.markRead.mockResolvedValue({});
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  comp.querySelector('.message').dispatchEvent('tap');
  await flush();
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '志愿者申请已通过' }));
  expect(notificationService.markRead).toHaveBeenCalledWith(1, { silent: true });
  expect(comp.data.unreadCount).toBe(1);
  expect(wx.setTabBarBadge).toHaveBeenLastCalledWith({ index: 2, text: '1' });
  expect(comp.querySelectorAll('.dot')).toHaveLength(1);
});

test('a 404 (inbox API not deployed) shows an empty inbox without a toast', async () => {
  notificationService.list.mockRejectedValue({ code: 'not_found', message: '资源不存在', statusCode: 404 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(comp.data.unavailable).toBe(true);
  expect(comp.dom.textContent).toContain('暂无消息');
  expect(wx.showToast).not.toHaveBeenCalled();
  expect(wx.removeTabBarBadge).toHaveBeenCalledWith({ index: 2 });
  comp.instance.onReachBottom();
  await flush();
  expect(notificationService.list).toHaveBeenCalledTimes(1);
});

test('other errors are shown as a toast', async () => {
  notificationService.list.mockRejectedValue({ code: 'network_error', message: '网络异常,请稍后重试', statusCode: 0 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(wx.showToast).toHaveBeenCalledWith({ title: '网络异常,请稍后重试', icon: 'none' });
});
