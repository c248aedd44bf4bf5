// A minimal wx.* host for Node: wx.request over http/https, wx.uploadFile as a multipart POST
// of a local file, wx.login from a code queue,
// in-memory storage that can be swapped to act as several users. Used by the
// integration flow against a live API.
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const { URL } = require('url');

function toQuery(data) {
  const params = new URLSearchParams();
  Object.keys(data || {}).forEach((key) => {
    const value = data[key];
    if (value === undefined || value === null) return;
    params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
  return params.toString();
}

function createNodeWx() {
  let store = new Map();
  const loginCodes = [];
  const toasts = [];

  function request(options) {
    const method = (options.method || 'GET').toUpperCase();
    const url = new URL(options.url);
    let body = null;
    if (method === 'GET' || method === 'HEAD') {
      const qs = toQuery(options.data);
      if (qs) url.search = url.search ? `${url.search}&${qs}` : `?${qs}`;
    } else if (options.data !== undefined && options.data !== null) {
      body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    }
    const headers = Object.assign({}, options.header || {});
    if (body !== null) headers['Content-Length'] = Buffer.byteLength(body);
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method, headers, timeout: options.timeout || 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data = text;
        if (text && options.dataType !== 'text') {
          try {
            data = JSON.parse(text);
          } catch (e) {
            data = text;
          }
        }
        if (options.success) options.success({ statusCode: res.statusCode, data, header: res.headers });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      if (options.fail) options.fail({ errMsg: `request:fail ${err.message}` });
    });
    if (body !== null) req.write(body);
    req.end();
    return { abort: () => req.destroy() };
  }

  // wx.uploadFile: POST multipart/form-data with the file under `name` (plus `formData`
  // fields); like WeChat, `data` in success is the response body as a string.
  function uploadFile(options) {
    const url = new URL(options.url);
    const boundary = `----nodewx${crypto.randomBytes(12).toString('hex')}`;
    const parts = [];
    Object.keys(options.formData || {}).forEach((key) => {
      parts.push(Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${options.formData[key]}\r\n`,
      ));
    });
    let file;
    try {
      file = fs.readFileSync(options.filePath);
    } catch (err) {
      setImmediate(() => options.fail && options.fail({ errMsg: `uploadFile:fail ${err.message}` }));
      return { abort() {} };
    }
    const filename = options.filePath.split(/[\\/]/).pop();
    parts.push(Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; filename="${filename}"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n',
    ));
    parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
    const body = Buffer.concat(parts);
    const headers = Object.assign({}, options.header || {}, {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': body.length,
    });
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: 'POST', headers, timeout: options.timeout || 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks).toString('utf8');
        if (options.success) options.success({ statusCode: res.statusCode, data, errMsg: 'uploadFile:ok' });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      if (options.fail) options.fail({ errMsg: `uploadFile:fail ${err.message}` });
    });
    req.end(body);
    return { abort: () => req.destroy() };
  }

  const wx = {
    request,
    uploadFile,
    login(options) {
      const code = loginCodes.shift();
      setImmediate(() => {
        if (code) options.success({ code, errMsg: 'login:ok' });
        else options.fail({ errMsg: 'login:fail no code queued' });
      });
    },
    getStorageSync: (key) => (store.has(key) ? store.get(key) : ''),
    setStorageSync: (key, value) => {
      store.set(key, value);
    },
    removeStorageSync: (key) => {
      store.delete(key);
    },
    getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
    showToast: (options) => {
      toasts.push(options.title);
    },

    // test controls
    __queueLoginCode(code) {
      loginCodes.push(code);
    },
    __toasts: toasts,
    // Each user keeps their own storage (token, user), like two phones.
    __newSession() {
      store = new Map();
      return store;
    },
    __useSession(session) {
      store = session;
    },
  };
  return wx;
}

module.exports = { createNodeWx };
