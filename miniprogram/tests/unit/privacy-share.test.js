// Privacy prompts that WeChat requires, the privacy guide, and sharing that opens straight to
// the content for someone who has never used the app.
jest.mock('../../services/activity');

const activityService = require('../../services/activity');
const privacy = require('../../utils/privacy');
const share = require('../../utils/share');
const { load, render, flush, tap, fire, find } = require('../helpers/simulate');

describe('privacy', () => {
  test('onNeedPrivacyAuthorization opens the page\'s prompt; agreeing resolves with the button', async () => {
    const id = load('pages/activity/scan/index');
    const comp = render(id);
    global.__currentPages = [comp.instance];
    privacy.install();
    expect(wx.onNeedPrivacyAuthorization).toHaveBeenCalled();
    const resolve = jest.fn();
    wx.__privacyListener(resolve, { referrer: 'getLocation' });
    await flush();
    expect(find(comp, '#privacy >>> #privacy-agree')).toBeTruthy();
    await tap(comp, '#privacy >>> #privacy-contract');
    expect(wx.openPrivacyContract).toHaveBeenCalled();
    await fire(comp, '#privacy >>> #privacy-agree', 'agreeprivacyauthorization', {});
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'sa-privacy-agree', event: 'agree' });
  });

  test('refusing, or a page without a prompt, answers disagree (the API then fails and the page recovers)', async () => {
    const id = load('pages/activity/scan/index');
    const comp = render(id);
    global.__currentPages = [comp.instance];
    privacy.install();
    const resolve = jest.fn();
    wx.__privacyListener(resolve, {});
    await flush();
    await tap(comp, '#privacy >>> #privacy-disagree');
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' });

    global.__currentPages = [{ selectComponent: () => null }];
    const other = jest.fn();
    wx.__privacyListener(other, {});
    expect(other).toHaveBeenCalledWith({ event: 'disagree' });
  });

  test('the guide opens with wx.openPrivacyContract, a summary when it cannot', () => {
    privacy.openContract();
    expect(wx.openPrivacyContract).toHaveBeenCalled();
    wx.openPrivacyContract = jest.fn((o) => o.fail({ errMsg: 'openPrivacyContract:fail' }));
    privacy.openContract();
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '隐私保护指引' }));
  });
});

describe('sharing the activity detail', () => {
  let id;
  beforeAll(() => {
    id = load('pages/activity/detail/index');
  });

  const ACTIVITY = {
    id: 7, title: '龙津社区夜间治安巡逻', category: 'patrol', phase: 'enrolling', status: 'published',
    start_at: '2025-03-08T19:00:00+08:00', end_at: '2025-03-08T21:00:00+08:00', enroll_deadline: '2025-03-08T19:00:00+08:00',
    capacity: 10, enrolled_count: 4, latitude: 28.19, longitude: 115.77, place_name: '龙津社区广场', checkin_radius_m: 300,
    points_mode: 'per_hour', points_value: 10, required_skills: [], my_enrollment: null,
  };

  test('to a chat and to Moments, with the activity in the path', async () => {
    activityService.get.mockResolvedValue(ACTIVITY);
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ menus: ['shareAppMessage', 'shareTimeline'] }));
    expect(comp.instance.onShareAppMessage()).toEqual({
      title: '龙津社区夜间治安巡逻（03-08 19:00 至 21:00）招募平安志愿者',
      path: '/pages/activity/detail/index?id=7',
    });
    expect(comp.instance.onShareTimeline()).toEqual({ title: '龙津社区夜间治安巡逻 · 03-08 19:00 至 21:00', query: 'id=7' });
    expect(comp.querySelector('#share')).toBeTruthy();
  });

  test('a first-time user opened from Moments: the content, no login, no enrollment button', async () => {
    wx.__launchOptions = { scene: share.SINGLE_PAGE_SCENE, path: 'pages/activity/detail/index', query: { id: '7' } };
    activityService.get.mockResolvedValue(ACTIVITY);
    const comp = render(id);
    comp.instance.onLoad({ id: '7' });
    await flush();
    expect(comp.querySelector('#title').dom.textContent).toBe('龙津社区夜间治安巡逻');
    expect(wx.login).not.toHaveBeenCalled();
    expect(comp.querySelector('#enroll')).toBeFalsy();
    expect(comp.dom.textContent).toContain('打开“平安大联盟”小程序即可报名');
  });
});
