// The only module that calls wx.request.
//
// request({url, method, data, header, silent, auth, retry}) resolves with the response
// body on 2xx and rejects with the API error envelope {code, message, errors, statusCode}
// otherwise. Unless `silent` is set, the envelope's message is shown as a toast.
// A 401 triggers one silent re-login (shared by concurrent callers) and one retry.
const { getApiBase } = require('../config/env');
const storage = require('./storage');
const { NETWORK_ERROR_MESSAGE } = require('./constants');

const DEFAULT_TIMEOUT = 15000;
const FALLBACK_MESSAGE = '请求失败，请稍后重试';

let reloginPromise = null;

function currentToken() {
  return storage.get(storage.TOKEN_KEY) || '';
}

function showError(message) {
  wx.showToast({ title: message || FALLBACK_MESSAGE, icon: 'none', duration: 2500 });
}

function isAbsoluteUrl(url) {
  return /^https?:\/\//i.test(url);
}

// Drop empty query values so that "undefined" never reaches the server.
function cleanQuery(data) {
  if (!data || typeof data !== 'object') return data;
  const out = {};
  Object.keys(data).forEach((key) => {
    const value = data[key];
    if (value !== undefined && value !== null && value !== '') out[key] = value;
  });
  return out;
}

function toEnvelope(res) {
  const body = res.data;
  if (body && typeof body === 'object' && (body.code || body.message)) {
    return {
      code: body.code || `http_${res.statusCode}`,
      message: body.message || FALLBACK_MESSAGE,
      errors: body.errors || null,
      statusCode: res.statusCode,
    };
  }
  return {
    code: `http_${res.statusCode}`,
    message: res.statusCode >= 500 ? '服务暂时不可用，请稍后重试' : FALLBACK_MESSAGE,
    errors: null,
    statusCode: res.statusCode,
  };
}

function networkEnvelope(errMsg) {
  return {
    code: 'network_error',
    message: NETWORK_ERROR_MESSAGE,
    errors: null,
    statusCode: 0,
    detail: errMsg || '',
  };
}

// One wx.request; resolves with {statusCode, data} for any HTTP status.
function send(opts, token) {
  const method = (opts.method || 'GET').toUpperCase();
  const header = Object.assign(
    { 'Content-Type': 'application/json', Accept: 'application/json' },
    opts.header || {},
  );
  if (opts.auth !== false && token) header.Authorization = `Bearer ${token}`;
  const url = isAbsoluteUrl(opts.url) ? opts.url : `${getApiBase()}${opts.url}`;
  const data = method === 'GET' || method === 'DELETE' ? cleanQuery(opts.data) : opts.data;

  return new Promise((resolve, reject) => {
    wx.request({
      url,
      method,
      data,
      header,
      dataType: 'json',
      timeout: opts.timeout || DEFAULT_TIMEOUT,
      success: (res) => resolve(res),
      fail: (err) => reject(networkEnvelope(err && err.errMsg)),
    });
  });
}

// Log in again once for everybody who saw a 401 at the same time.
function relogin() {
  if (!reloginPromise) {
    // Required lazily: auth.js itself uses this module.
    const auth = require('./auth');
    reloginPromise = auth.login({ silent: true }).then(
      (result) => {
        reloginPromise = null;
        return result;
      },
      (err) => {
        reloginPromise = null;
        throw err;
      },
    );
  }
  return reloginPromise;
}

function fail(envelope, opts) {
  if (!opts.silent) showError(envelope.message);
  throw envelope;
}

async function request(options) {
  const opts = Object.assign({ method: 'GET', auth: true, retry: true, silent: false }, options);
  const tokenUsed = opts.auth ? currentToken() : '';

  let res;
  try {
    res = await send(opts, tokenUsed);
  } catch (envelope) {
    return fail(envelope, opts);
  }

  if (res.statusCode >= 200 && res.statusCode < 300) {
    return res.data === '' || res.data === undefined ? null : res.data;
  }

  const envelope = toEnvelope(res);
  if (res.statusCode === 401 && opts.auth && opts.retry) {
    // Another caller may already have refreshed the token while this one was in flight.
    const latest = currentToken();
    if (!latest || latest === tokenUsed) {
      try {
        await relogin();
      } catch (loginError) {
        return fail(loginError && loginError.code === 'network_error' ? loginError : envelope, opts);
      }
    }
    return request(Object.assign({}, options, { retry: false }));
  }
  return fail(envelope, opts);
}

function get(url, data, options) {
  return request(Object.assign({ url, data, method: 'GET' }, options));
}

function post(url, data, options) {
  return request(Object.assign({ url, data, method: 'POST' }, options));
}

function patch(url, data, options) {
  return request(Object.assign({ url, data, method: 'PATCH' }, options));
}

function del(url, data, options) {
  return request(Object.assign({ url, data, method: 'DELETE' }, options));
}

module.exports = {
  request,
  get,
  post,
  patch,
  del,
};
