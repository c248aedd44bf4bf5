// Storage keys of the login session.
const TOKEN_KEY = 'sa_token';
const TOKEN_EXPIRES_KEY = 'sa_token_expires_at';
const USER_KEY = 'sa_user';

function get(key) {
  try {
    return wx.getStorageSync(key);
  } catch (e) {
    return '';
  }
}

function set(key, value) {
  try {
    wx.setStorageSync(key, value);
  } catch (e) {
    // Storage full or unavailable: the session then lives only until the next launch.
  }
}

function remove(key) {
  try {
    wx.removeStorageSync(key);
  } catch (e) {
    // ignore
  }
}

module.exports = {
  TOKEN_KEY,
  TOKEN_EXPIRES_KEY,
  USER_KEY,
  get,
  set,
  remove,
};
