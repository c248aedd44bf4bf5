// askSubscribe() against the real request.js, with wx.request scripted.
const { askSubscribe, prefetchTemplates, resetTemplateCache } = require('../../utils/subscribe');
const { refreshUnreadBadge } = require('../../utils/badge');

const TEMPLATES = {
  items: [
    { kind: 'volunteer_review', template_id: 'T-REVIEW', title: '志愿者审核结果通知' },
    { kind: 'enrollment_result', template_id: 'T-ENROLL', title: '活动报名结果通知' },
    { kind: 'activity_reminder', template_id: 'T-REMIND', title: '活动开始提醒' },
    { kind: 'award_result', template_id: 'T-AWARD', title: '表彰审批结果通知' },
  ],
};

let posted;
beforeEach(() => {
  resetTemplateCache();
  posted = [];
  wx.__setRequestHandler((options) => {
    if (options.url.endsWith('/notification-templates')) return { statusCode: 200, data: TEMPLATES };
    if (options.url.endsWith('/me/subscriptions')) {
      posted.push(options.data);
      return { statusCode: 200, data: { items: [] } };
    }
    if (options.url.endsWith('/me/notifications/unread-count')) {
      return { statusCode: 200, data: { unread_count: 5 } };
    }
    return { statusCode: 404, data: { code: 'not_found', message: '资源不存在' } };
  });
});

test('asks for the kinds\' templates and reports the answers', async () => {
  wx.__subscribeAnswer = 'accept';
  const result = await askSubscribe(['volunteer_review']);
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T-REVIEW'] }));
  expect(result).toEqual({ accepted: ['volunteer_review'] });
  expect(posted).toEqual([{ results: { 'T-REVIEW': 'accept' } }]); // errMsg is not sent
});

test('a refusal is reported too, and never rejects', async () => {
  wx.__subscribeAnswer = 'reject';
  const result = await askSubscribe(['volunteer_review', 'enrollment_result']);
  expect(result).toEqual({ accepted: [] });
  expect(posted).toEqual([{ results: { 'T-REVIEW': 'reject', 'T-ENROLL': 'reject' } }]);
});

test('at most three templates per prompt; unknown kinds are dropped', async () => {
  await askSubscribe(['volunteer_review', 'nope', 'enrollment_result', 'activity_reminder', 'award_result']);
  const { tmplIds } = wx.requestSubscribeMessage.mock.calls[0][0];
  expect(tmplIds).toEqual(['T-REVIEW', 'T-ENROLL', 'T-REMIND']);
});

test('templates are loaded once (prefetch on page load) and the server failing is harmless', async () => {
  await prefetchTemplates();
  await askSubscribe(['volunteer_review']);
  const templateCalls = wx.request.mock.calls.filter(([o]) => o.url.endsWith('/notification-templates'));
  expect(templateCalls).toHaveLength(1);

  resetTemplateCache();
  wx.__setRequestHandler(() => ({ fail: true }));
  await expect(askSubscribe(['volunteer_review'])).resolves.toEqual({ accepted: [] });
});

test('without wx.requestSubscribeMessage (old base library) nothing is posted', async () => {
  delete wx.requestSubscribeMessage;
  await expect(askSubscribe(['volunteer_review'])).resolves.toEqual({ accepted: [] });
  expect(posted).toEqual([]);
});

test('refreshUnreadBadge sets the 消息 tab badge from the server count', async () => {
  await expect(refreshUnreadBadge()).resolves.toBe(5);
  expect(wx.setTabBarBadge).toHaveBeenCalledWith(expect.objectContaining({ index: 2, text: '5' }));
  wx.__setRequestHandler(() => ({ fail: true }));
  await expect(refreshUnreadBadge()).resolves.toBe(0);
});
