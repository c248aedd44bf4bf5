const { post } = require('../utils/request');

// wx.login code → {token, expires_at, user}
function wechatLogin(code, options) {
  return post('/auth/wechat', { code }, Object.assign({ auth: false, retry: false }, options));
}

// getPhoneNumber code → user with the bound phone
function bindPhone(code, options) {
  return post('/auth/phone', { code }, options);
}

module.exports = { wechatLogin, bindPhone };
