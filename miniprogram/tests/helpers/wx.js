// jest stubs for the wx.* APIs, with in-memory storage and a scriptable wx.request.

function createWx() {
  const store = new Map();
  let requestHandler = () => ({ statusCode: 200, data: {} });
  let loginCounter = 0;

  const wx = {
    __store: store,
    // handler(options) → {statusCode, data} | {fail: true} | Promise of either
    __setRequestHandler(handler) {
      requestHandler = handler;
    },
    request: jest.fn((options) => {
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
    login: jest.fn((options) => {
      loginCounter += 1;
      setTimeout(() => options.success({ code: `test-code-${loginCounter}`, errMsg: 'login:ok' }), 0);
    }),
    getStorageSync: jest.fn((key) => (store.has(key) ? store.get(key) : '')),
    setStorageSync: jest.fn((key, value) => {
      store.set(key, value);
    }),
    removeStorageSync: jest.fn((key) => {
      store.delete(key);
    }),
    getAccountInfoSync: jest.fn(() => ({ miniProgram: { appId: 'wx-test', envVersion: 'develop' } })),
    showToast: jest.fn(),
    showModal: jest.fn(),
    showLoading: jest.fn(),
    hideLoading: jest.fn(),
    navigateTo: jest.fn(),
    navigateBack: jest.fn(),
    switchTab: jest.fn(),
    reLaunch: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setTabBarBadge: jest.fn(),
    removeTabBarBadge: jest.fn(),
    // Answers every template with 'accept' unless a test sets __subscribeAnswer.
    requestSubscribeMessage: jest.fn((options) => {
      const res = { errMsg: 'requestSubscribeMessage:ok' };
      (options.tmplIds || []).forEach((tmplId) => {
        res[tmplId] = wx.__subscribeAnswer || 'accept';
      });
      setTimeout(() => options.success && options.success(res), 0);
    }),
  };
  return wx;
}

// showModal that answers "confirm" (optionally with edited content).
function confirmModal(content) {
  return jest.fn((options) => {
    if (options.success) options.success({ confirm: true, cancel: false, content });
  });
}

module.exports = { createWx, confirmModal };
