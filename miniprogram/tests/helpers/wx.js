// jest stubs for the wx.* APIs, with in-memory storage and a scriptable wx.request.
//
// The stub refuses what a phone refuses:
//  * wx.requestSubscribeMessage and wx.openSetting only work inside the synchronous handling of
//    a tap (tests/helpers/gesture.js); called after an await they fail with WeChat's message.
//    The project's own rule is stricter than the phone's: the prompt must be the FIRST wx call of
//    the tap (before any request, toast or navigation), so that it always opens while the tap is
//    fresh; a later call fails the same way.
//  * wx.getLocation / getFuzzyLocation answer from __location and fail like a phone when the user
//    denied the scope (__locationDenied) or turned GPS off (__gpsOff).
const gesture = require('./gesture');

const TAP_ONLY_MESSAGE = 'can only be invoked by user TAP gesture.';

// Calls that do not count as "something else happened first" in a tap.
const SILENT = new Set([
  'getStorageSync', 'setStorageSync', 'removeStorageSync', 'getAccountInfoSync', 'getSystemInfoSync',
  'getWindowInfo', 'getAppBaseInfo', 'getDeviceInfo', 'canIUse', 'nextTick', 'createSelectorQuery',
  'createIntersectionObserver', 'getLaunchOptionsSync', 'getEnterOptionsSync', 'getMenuButtonBoundingClientRect',
  'vibrateShort', 'requestSubscribeMessage', 'openSetting',
]);

function selectorQuery() {
  const query = {
    in() { return query; },
    select() { return query; },
    selectAll() { return query; },
    selectViewport() { return query; },
    boundingClientRect(cb) { query._cb = cb; return query; },
    scrollOffset(cb) { query._cb = cb; return query; },
    fields(_f, cb) { query._cb = cb; return query; },
    exec(cb) {
      const rect = { width: 375, height: 44, left: 0, top: 0, right: 375, bottom: 44, scrollLeft: 0 };
      setTimeout(() => {
        if (query._cb) query._cb(rect);
        if (cb) cb([rect, rect]);
      }, 0);
      return query;
    },
  };
  return query;
}

function createWx() {
  const store = new Map();
  let requestHandler = () => ({ statusCode: 200, data: {} });
  let loginCounter = 0;

  const api = (name, impl) => jest.fn((...args) => {
    if (!SILENT.has(name)) gesture.noteCall(name);
    return impl ? impl(...args) : undefined;
  });

  // Whether a tap-only API may open now; `calls` are the wx calls made earlier in this tap.
  const tapAllows = () => {
    const calls = gesture.callsInTap();
    return Boolean(calls) && calls.length === 0;
  };

  const async = (fn) => setTimeout(fn, 0);

  const systemInfo = {
    SDKVersion: '3.3.4',
    windowWidth: 375,
    windowHeight: 812,
    screenWidth: 375,
    screenHeight: 812,
    pixelRatio: 2,
    statusBarHeight: 44,
    platform: 'devtools',
    safeArea: { top: 44, bottom: 778, left: 0, right: 375, width: 375, height: 734 },
  };

  const wx = {
    __store: store,
    __location: { latitude: 28.1921, longitude: 115.7763, accuracy: 15 },
    __locationDenied: false,
    __gpsOff: false,
    __launchOptions: { scene: 1001, path: 'pages/home/index', query: {} },
    // handler(options) → {statusCode, data} | {fail: true} | Promise of either
    __setRequestHandler(handler) {
      requestHandler = handler;
    },
    request: api('request', (options) => {
      Promise.resolve()
        .then(() => requestHandler(options))
        .then((res) => {
          if (res && res.fail) {
            options.fail && options.fail({ errMsg: 'request:fail timeout' });
          } else {
            options.success && options.success({ statusCode: res.statusCode, data: res.data, header: {} });
          }
        });
      return { abort() {} };
    }),
    login: api('login', (options) => {
      loginCounter += 1;
      async(() => options.success({ code: `test-code-${loginCounter}`, errMsg: 'login:ok' }));
    }),
    getStorageSync: api('getStorageSync', (key) => (store.has(key) ? store.get(key) : '')),
    setStorageSync: api('setStorageSync', (key, value) => {
      store.set(key, value);
    }),
    removeStorageSync: api('removeStorageSync', (key) => {
      store.delete(key);
    }),
    getAccountInfoSync: api('getAccountInfoSync', () => ({ miniProgram: { appId: 'wx-test', envVersion: 'develop' } })),
    getSystemInfoSync: api('getSystemInfoSync', () => Object.assign({}, systemInfo)),
    getWindowInfo: api('getWindowInfo', () => Object.assign({}, systemInfo)),
    getAppBaseInfo: api('getAppBaseInfo', () => ({ SDKVersion: systemInfo.SDKVersion, language: 'zh_CN', theme: 'light' })),
    getDeviceInfo: api('getDeviceInfo', () => ({ platform: 'devtools', system: 'iOS 17.0' })),
    getMenuButtonBoundingClientRect: api('getMenuButtonBoundingClientRect', () => ({ top: 50, bottom: 82, left: 281, right: 368, width: 87, height: 32 })),
    getLaunchOptionsSync: api('getLaunchOptionsSync', () => wx.__launchOptions),
    getEnterOptionsSync: api('getEnterOptionsSync', () => wx.__launchOptions),
    canIUse: api('canIUse', () => true),
    nextTick: api('nextTick', (fn) => async(fn)),
    createSelectorQuery: api('createSelectorQuery', selectorQuery),
    createIntersectionObserver: api('createIntersectionObserver', () => ({
      relativeToViewport() { return this; },
      relativeTo() { return this; },
      observe() {},
      disconnect() {},
    })),
    showToast: api('showToast'),
    hideToast: api('hideToast'),
    showModal: api('showModal'),
    showLoading: api('showLoading'),
    hideLoading: api('hideLoading'),
    showActionSheet: api('showActionSheet'),
    navigateTo: api('navigateTo'),
    redirectTo: api('redirectTo'),
    navigateBack: api('navigateBack'),
    switchTab: api('switchTab'),
    reLaunch: api('reLaunch'),
    stopPullDownRefresh: api('stopPullDownRefresh'),
    setTabBarBadge: api('setTabBarBadge'),
    removeTabBarBadge: api('removeTabBarBadge'),
    setNavigationBarTitle: api('setNavigationBarTitle'),
    pageScrollTo: api('pageScrollTo'),
    setClipboardData: api('setClipboardData', (o) => async(() => o && o.success && o.success({}))),
    makePhoneCall: api('makePhoneCall'),
    openLocation: api('openLocation'),
    showShareMenu: api('showShareMenu'),
    setKeepScreenOn: api('setKeepScreenOn'),
    vibrateShort: api('vibrateShort'),
    scanCode: api('scanCode', (o) => async(() => {
      if (wx.__scanResult) o.success && o.success({ result: wx.__scanResult, scanType: 'QR_CODE', errMsg: 'scanCode:ok' });
      else o.fail && o.fail({ errMsg: 'scanCode:fail cancel' });
    })),
    getSetting: api('getSetting', (o) => async(() => o.success && o.success({
      authSetting: { 'scope.userLocation': !wx.__locationDenied, 'scope.userFuzzyLocation': !wx.__locationDenied },
      subscriptionsSetting: { mainSwitch: true },
    }))),
    getLocation: api('getLocation', (o) => async(() => locate('getLocation', o))),
    getFuzzyLocation: api('getFuzzyLocation', (o) => async(() => locate('getFuzzyLocation', o))),
    onNeedPrivacyAuthorization: api('onNeedPrivacyAuthorization', (listener) => {
      wx.__privacyListener = listener;
    }),
    openPrivacyContract: api('openPrivacyContract', (o) => async(() => o && o.success && o.success({}))),
    // Tap-only: opens the settings page, or fails like a phone when not called from a tap.
    openSetting: api('openSetting', (o) => {
      const allowed = tapAllows();
      async(() => {
        if (!allowed) {
          if (o && o.fail) o.fail({ errMsg: `openSetting:fail ${TAP_ONLY_MESSAGE}` });
          return;
        }
        if (wx.__settingGrants) wx.__locationDenied = false;
        if (o && o.success) o.success({ authSetting: { 'scope.userLocation': !wx.__locationDenied } });
      });
    }),
    // Tap-only. Answers every template with __subscribeAnswer ('accept' unless a test says
    // otherwise); outside a tap (or after another wx call in the same tap) it fails.
    requestSubscribeMessage: api('requestSubscribeMessage', (options) => {
      const allowed = tapAllows();
      async(() => {
        if (!allowed) {
          const err = { errMsg: `requestSubscribeMessage:fail ${TAP_ONLY_MESSAGE}` };
          if (options.fail) options.fail(err);
          if (options.complete) options.complete(err);
          return;
        }
        if (wx.__subscribeFail) {
          if (options.fail) options.fail(wx.__subscribeFail);
          if (options.complete) options.complete(wx.__subscribeFail);
          return;
        }
        const res = { errMsg: 'requestSubscribeMessage:ok' };
        (options.tmplIds || []).forEach((tmplId) => {
          res[tmplId] = wx.__subscribeAnswer || 'accept';
        });
        if (options.success) options.success(res);
        if (options.complete) options.complete(res);
      });
    }),
  };

  function locate(name, o) {
    if (wx.__locationDenied) {
      if (o.fail) o.fail({ errMsg: `${name}:fail auth deny` });
    } else if (wx.__gpsOff) {
      if (o.fail) o.fail({ errMsg: `${name}:fail system permission denied`, errCode: 2 });
    } else if (o.success) {
      o.success(Object.assign({ errMsg: `${name}:ok` }, wx.__location));
    }
  }

  return wx;
}

// showModal that answers "confirm" (optionally with edited content).
function confirmModal(content) {
  return jest.fn((options) => {
    if (options.success) options.success({ confirm: true, cancel: false, content });
  });
}

module.exports = { createWx, confirmModal, TAP_ONLY_MESSAGE };
