// Login session: wx.login → POST /auth/wechat → token and user in storage.
const storage = require('./storage');
const authService = require('../services/auth');

// Treat a token as expired a little early so a request never races its expiry.
const EXPIRY_MARGIN_MS = 60 * 1000;

let loginPromise = null;

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => {
        if (res && res.code) resolve(res.code);
        else reject({ code: 'wx_login_failed', message: '微信登录失败，请稍后重试', errors: null });
      },
      fail: () => reject({ code: 'wx_login_failed', message: '微信登录失败，请稍后重试', errors: null }),
    });
  });
}

function saveSession(session) {
  storage.set(storage.TOKEN_KEY, session.token);
  storage.set(storage.TOKEN_EXPIRES_KEY, session.expires_at || '');
  if (session.user) storage.set(storage.USER_KEY, session.user);
}

function getToken() {
  const token = storage.get(storage.TOKEN_KEY);
  if (!token) return '';
  const expiresAt = storage.get(storage.TOKEN_EXPIRES_KEY);
  if (expiresAt) {
    const ms = Date.parse(expiresAt);
    if (!Number.isNaN(ms) && ms - EXPIRY_MARGIN_MS <= Date.now()) return '';
  }
  return token;
}

function getUser() {
  return storage.get(storage.USER_KEY) || null;
}

function setUser(user) {
  if (user) storage.set(storage.USER_KEY, user);
}

// Concurrent callers share one login round trip.
function login(options) {
  if (!loginPromise) {
    loginPromise = wxLogin()
      .then((code) => authService.wechatLogin(code, options))
      .then((session) => {
        saveSession(session);
        loginPromise = null;
        return session;
      })
      .catch((err) => {
        loginPromise = null;
        throw err;
      });
  }
  return loginPromise;
}

function logout() {
  storage.remove(storage.TOKEN_KEY);
  storage.remove(storage.TOKEN_EXPIRES_KEY);
  storage.remove(storage.USER_KEY);
}

function isLoggedIn() {
  return Boolean(getToken());
}

// Resolves with a valid token, logging in first when there is none.
function ensureLogin(options) {
  const token = getToken();
  if (token) return Promise.resolve(token);
  return login(options).then((session) => session.token);
}

module.exports = {
  login,
  logout,
  getToken,
  getUser,
  setUser,
  isLoggedIn,
  ensureLogin,
};
