// API base per mini-program environment version.
// The trial/release hosts are placeholders: replace them with the real HTTPS domain
// registered under "request 合法域名" in the WeChat admin console before release.
const API_BASES = {
  develop: 'http://127.0.0.1:5000/api/v1',
  trial: 'https://safe-alliance.example.cn/api/v1',
  release: 'https://safe-alliance.example.cn/api/v1',
};

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

function getApiBase() {
  if (overrideBase) return overrideBase;
  return API_BASES[getEnvVersion()] || API_BASES.develop;
}

// Tests (and the integration flow) point the services at another server.
function setApiBase(base) {
  overrideBase = base ? String(base).replace(/\/+$/, '') : null;
}

module.exports = {
  API_BASES,
  getEnvVersion,
  getApiBase,
  setApiBase,
};
