// API base per mini-program environment version.
//
// release / trial: the HTTPS host registered under "request 合法域名" in the WeChat admin
// console (replace the placeholder before release; see README "Mini-program").
// develop: the dev server. On a phone (真机预览) 127.0.0.1 is the phone itself, so the develop
// and trial builds let the developer point the app at a computer on the same LAN: 我的 → 开发设置
// (subpackages/dev) stores the base under DEV_API_BASE_KEY. A release build ignores it.
const API_BASES = {
  develop: 'http://127.0.0.1:5000/api/v1',
  trial: 'https://safe-alliance.example.cn/api/v1',
  release: 'https://safe-alliance.example.cn/api/v1',
};

const DEV_API_BASE_KEY = 'sa_dev_api_base';

let overrideBase = null;

function getEnvVersion() {
  try {
    const info = wx.getAccountInfoSync();
    return (info && info.miniProgram && info.miniProgram.envVersion) || 'develop';
  } catch (e) {
    // getAccountInfoSync is missing in very old base libraries and in some test hosts.
    return 'develop';
  }
}

function normalize(base) {
  return String(base || '').trim().replace(/\/+$/, '');
}

// The LAN host chosen in 开发设置 (develop and trial builds only).
function getDevApiBase() {
  if (getEnvVersion() === 'release') return '';
  try {
    return normalize(wx.getStorageSync(DEV_API_BASE_KEY));
  } catch (e) {
    return '';
  }
}

function setDevApiBase(base) {
  const value = normalize(base);
  if (value) wx.setStorageSync(DEV_API_BASE_KEY, value);
  else wx.removeStorageSync(DEV_API_BASE_KEY);
  return value;
}

function getApiBase() {
  if (overrideBase) return overrideBase;
  const env = getEnvVersion();
  return getDevApiBase() || API_BASES[env] || API_BASES.develop;
}

// Tests (and the integration flow) point the services at another server.
function setApiBase(base) {
  overrideBase = base ? normalize(base) : null;
}

module.exports = {
  API_BASES,
  DEV_API_BASE_KEY,
  getEnvVersion,
  getApiBase,
  setApiBase,
  getDevApiBase,
  setDevApiBase,
};
