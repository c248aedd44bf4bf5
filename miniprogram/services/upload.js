// Image uploads through wx.uploadFile (multipart field `file`) and reading them back through
// wx.downloadFile: files are served to logged-in users only, so <image> needs a local copy.
const { getApiBase } = require('../config/env');
const storage = require('../utils/storage');

const FALLBACK_MESSAGE = '图片上传失败，请重试';

function authHeader() {
  const token = storage.get(storage.TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// "/api/v1/uploads/<key>" → absolute URL on the API host.
function absoluteUrl(url) {
  if (/^https?:\/\//i.test(url)) return url;
  const origin = getApiBase().replace(/\/api\/v1\/?$/, '');
  return `${origin}${url}`;
}

// filePath from wx.chooseMedia → {url, content_type, size, width, height}
function uploadImage(filePath) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: `${getApiBase()}/uploads`,
      filePath,
      name: 'file',
      header: authHeader(),
      success: (res) => {
        let body = res.data;
        try {
          body = typeof body === 'string' ? JSON.parse(body) : body;
        } catch (e) {
          body = null;
        }
        if (res.statusCode === 201 && body && body.url) {
          resolve(body);
          return;
        }
        reject({
          code: (body && body.code) || `http_${res.statusCode}`,
          message: (body && body.message) || FALLBACK_MESSAGE,
          statusCode: res.statusCode,
        });
      },
      fail: () => reject({ code: 'network_error', message: FALLBACK_MESSAGE, statusCode: 0 }),
    });
  });
}

// A stored image → a temporary local path for <image src>; '' when it cannot be read.
function localCopy(url) {
  return new Promise((resolve) => {
    wx.downloadFile({
      url: absoluteUrl(url),
      header: authHeader(),
      success: (res) => resolve(res.statusCode === 200 ? res.tempFilePath : ''),
      fail: () => resolve(''),
    });
  });
}

module.exports = { uploadImage, localCopy, absoluteUrl };
