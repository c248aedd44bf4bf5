jest.mock('../../utils/auth');
jest.mock('../../services/notification');

const auth = require('../../utils/auth');
const notificationService = require('../../services/notification');
const { load, render, flush, tap } = require('../helpers/simulate');

let id;
beforeAll(() => {
  id = load('pages/message/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

// The shape GET /me/notifications returns.
const ITEMS = [
  { id: 1, kind: 'volunteer_review', title: '志愿者申请已通过', body: '', content: '审核结果：审核通过', page: '', is_read: false, created_at: '2025-03-08T09:00:00+08:00', read_at: null },
  { id: 2, kind: 'activity_reminder', title: '活动提醒', body: '明天 9:00 巡逻', content: '明天 9:00 巡逻', page: 'pages/activity/detail/index?id=7', is_read: false, created_at: '2025-03-07T09:00:00+08:00', read_at: null },
  { id: 3, kind: 'level_up', title: '旧消息', body: '已读', content: '已读', page: 'pages/mine/index', is_read: true, created_at: '2025-03-06T09:00:00+08:00', read_at: '2025-03-06T10:00:00+08:00' },
];

function badge(text) {
  return expect.objectContaining({ index: 2, text });
}

test('lists the inbox and sets the unread badge on the 消息 tab', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, page: 1, page_size: 20, unread_count: 2 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(notificationService.list).toHaveBeenCalledWith({ page: 1, page_size: 20 }, { silent: true });
  expect(comp.querySelectorAll('.message')).toHaveLength(3);
  expect(comp.querySelectorAll('.dot')).toHaveLength(2);
  expect(comp.dom.textContent).toContain('审核结果：审核通过');
  expect(comp.dom.textContent).toContain('2 条未读');
  expect(wx.setTabBarBadge).toHaveBeenCalledWith(badge('2'));
});

test('the server unread_count wins over the loaded page', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS.slice(0, 1), total: 40, unread_count: 120 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(comp.data.unreadCount).toBe(120);
  expect(wx.setTabBarBadge).toHaveBeenCalledWith(badge('99+'));
});

test('opening an unread message without a page shows it and marks it read', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, unread_count: 2 });
  notificationService.markRead.mockResolvedValue({});
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  await tap(comp, '.message');
  await flush();
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '志愿者申请已通过' }));
  expect(notificationService.markRead).toHaveBeenCalledWith(1, { silent: true });
  expect(comp.data.unreadCount).toBe(1);
  expect(wx.setTabBarBadge).toHaveBeenLastCalledWith(badge('1'));
  expect(comp.querySelectorAll('.dot')).toHaveLength(1);
});

test('a message with a page opens it (navigateTo, or switchTab for tab pages)', async () => {
  const TAB_PAGES = ['/pages/mine/index'];
  wx.navigateTo = jest.fn((options) => {
    // WeChat refuses navigateTo for tab bar pages.
    if (TAB_PAGES.includes(options.url.split('?')[0])) options.fail({ errMsg: 'navigateTo:fail can not navigateTo a tabbar page' });
  });
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, unread_count: 2 });
  notificationService.markRead.mockResolvedValue({});
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  const cards = comp.querySelectorAll('.message');
  await tap(comp, cards[1]);
  await flush();
  expect(wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/activity/detail/index?id=7' }));
  expect(wx.switchTab).not.toHaveBeenCalled();
  expect(notificationService.markRead).toHaveBeenCalledWith(2, { silent: true });
  await tap(comp, cards[2]);
  await flush();
  expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/mine/index' });
  expect(notificationService.markRead).toHaveBeenCalledTimes(1); // already read
  expect(wx.showModal).not.toHaveBeenCalled();
});

test('全部已读 marks everything read and clears the badge', async () => {
  notificationService.list.mockResolvedValue({ items: ITEMS, total: 3, unread_count: 2 });
  notificationService.markAllRead.mockResolvedValue({ updated: 2, unread_count: 0 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  await tap(comp, '#read-all');
  await flush();
  expect(notificationService.markAllRead).toHaveBeenCalledTimes(1);
  expect(comp.querySelectorAll('.dot')).toHaveLength(0);
  expect(wx.removeTabBarBadge).toHaveBeenLastCalledWith(expect.objectContaining({ index: 2 }));
  await tap(comp, '#read-all');
  await flush();
  expect(notificationService.markAllRead).toHaveBeenCalledTimes(1); // nothing left to mark
});

test('a 404 (inbox API not deployed) shows an empty inbox without a toast', async () => {
  notificationService.list.mockRejectedValue({ code: 'not_found', message: '资源不存在', statusCode: 404 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(comp.data.unavailable).toBe(true);
  expect(comp.dom.textContent).toContain('暂无消息');
  expect(wx.showToast).not.toHaveBeenCalled();
  expect(wx.removeTabBarBadge).toHaveBeenCalledWith(expect.objectContaining({ index: 2 }));
  comp.instance.onReachBottom();
  await flush();
  expect(notificationService.list).toHaveBeenCalledTimes(1);
});

test('other errors are shown as a toast', async () => {
  notificationService.list.mockRejectedValue({ code: 'network_error', message: '网络异常，请稍后重试', statusCode: 0 });
  const comp = render(id);
  comp.instance.onShow();
  await flush();
  expect(wx.showToast).toHaveBeenCalledWith({ title: '网络异常，请稍后重试', icon: 'none' });
});
