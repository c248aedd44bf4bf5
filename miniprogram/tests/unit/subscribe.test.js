// askFromTap() against the real request.js, with wx.request scripted. The wx stub refuses a
// prompt that is not opened by the synchronous handling of a tap, as a phone does.
const { askFromTap, prefetchTemplates, resetTemplateCache, lastSubscribeOutcome } = require('../../utils/subscribe');
const { refreshUnreadBadge } = require('../../utils/badge');
const { asTap } = require('../helpers/gesture');
const { templateServer } = require('../helpers/templates');
const { flush } = require('../helpers/simulate');

let posted;
beforeEach(() => {
  resetTemplateCache();
  posted = [];
  wx.__setRequestHandler(templateServer(posted, (options) => {
    if (options.url.endsWith('/me/notifications/unread-count')) {
      return { statusCode: 200, data: { unread_count: 5 } };
    }
    return { statusCode: 404, data: { code: 'not_found', message: '资源不存在' } };
  }));
});

test('from a tap: asks for the kinds\' templates and reports the answers', async () => {
  await prefetchTemplates();
  wx.__subscribeAnswer = 'accept';
  const result = await asTap(() => askFromTap(['volunteer_review']));
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T-REVIEW'] }));
  expect(result).toEqual({ accepted: ['volunteer_review'] });
  expect(posted).toEqual([{ results: { 'T-REVIEW': 'accept' } }]); // errMsg is not sent
});

test('a refusal is reported too, and never rejects', async () => {
  await prefetchTemplates();
  wx.__subscribeAnswer = 'reject';
  const result = await asTap(() => askFromTap(['volunteer_review', 'enrollment_result']));
  expect(result).toEqual({ accepted: [] });
  expect(posted).toEqual([{ results: { 'T-REVIEW': 'reject', 'T-ENROLL': 'reject' } }]);
  expect(lastSubscribeOutcome()).toMatchObject({ result: 'partial', accepted: [] });
});

test('the stub refuses a prompt after an await, as a phone does: recorded, never rejects', async () => {
  await prefetchTemplates();
  const late = await asTap(async () => {
    await flush(1); // e.g. a network round trip before asking
    return askFromTap(['volunteer_review']);
  });
  expect(late).toEqual({ accepted: [] });
  expect(posted).toEqual([]);
  expect(lastSubscribeOutcome()).toMatchObject({ result: 'fail', errMsg: expect.stringContaining('TAP gesture') });
});

test('the stub refuses a prompt that is not the first wx call of the tap', async () => {
  await prefetchTemplates();
  await asTap(() => {
    wx.showLoading({ title: '提交中' });
    return askFromTap(['volunteer_review']);
  });
  expect(posted).toEqual([]);
  expect(lastSubscribeOutcome()).toMatchObject({ result: 'fail' });
});

test('at most three templates per prompt; unknown kinds are dropped', async () => {
  await prefetchTemplates();
  await asTap(() => askFromTap(['volunteer_review', 'nope', 'enrollment_result', 'activity_reminder', 'award_result']));
  const { tmplIds } = wx.requestSubscribeMessage.mock.calls[0][0];
  expect(tmplIds).toEqual(['T-REVIEW', 'T-ENROLL', 'T-REMIND']);
});

test('templates not loaded yet: no prompt, recorded, loaded for the next tap', async () => {
  const result = await asTap(() => askFromTap(['volunteer_review']));
  expect(result).toEqual({ accepted: [] });
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled();
  expect(lastSubscribeOutcome()).toMatchObject({ result: 'not_loaded' });
  await flush();
  await asTap(() => askFromTap(['volunteer_review']));
  expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
});

test('templates are loaded once and the server failing is harmless', async () => {
  await prefetchTemplates();
  await prefetchTemplates();
  const templateCalls = wx.request.mock.calls.filter(([o]) => o.url.endsWith('/notification-templates'));
  expect(templateCalls).toHaveLength(1);

  resetTemplateCache();
  wx.__setRequestHandler(() => ({ fail: true }));
  await expect(prefetchTemplates()).resolves.toEqual({});
  await expect(asTap(() => askFromTap(['volunteer_review']))).resolves.toEqual({ accepted: [] });
});

test('without wx.requestSubscribeMessage (old base library) nothing is posted', async () => {
  await prefetchTemplates();
  delete wx.requestSubscribeMessage;
  await expect(asTap(() => askFromTap(['volunteer_review']))).resolves.toEqual({ accepted: [] });
  expect(posted).toEqual([]);
  expect(lastSubscribeOutcome()).toMatchObject({ result: 'unsupported' });
});

test('refreshUnreadBadge sets the 消息 tab badge from the server count', async () => {
  await expect(refreshUnreadBadge()).resolves.toBe(5);
  expect(wx.setTabBarBadge).toHaveBeenCalledWith(expect.objectContaining({ index: 2, text: '5' }));
  wx.__setRequestHandler(() => ({ fail: true }));
  await expect(refreshUnreadBadge()).resolves.toBe(0);
});
