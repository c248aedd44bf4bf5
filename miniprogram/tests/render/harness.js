// What the render tests share: the real page code and services, driven by the project's Node wx
// host against a live demo API (real HTTP, WeChat sandbox logins), device APIs stubbed the way a
// phone answers, and a Chromium child process (tools/render/shoot.js) that screenshots each
// page and reports what a user would see wrong with it.
//
// PNGs go to $MP_SHOTS_DIR (default <repo>/artifacts/miniprogram, git-ignored), kept by CI.
global.setImmediate = global.setImmediate || ((fn, ...args) => setTimeout(fn, 0, ...args));
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { fork } = require('child_process');
const QRCode = require('qrcode');

const { simulate, load, ROOT } = require('../helpers/simulate');
const { createNodeWx } = require('../helpers/node-wx');
const { buildDocument } = require('../../tools/render/lib');
const gesture = require('../helpers/gesture');

const API = process.env.MP_API_BASE;
const SHOTS = process.env.MP_SHOTS_DIR || path.resolve(ROOT, '..', 'artifacts', 'miniprogram');

const state = {
  pending: 0,
  lastToast: null,
  location: { latitude: 28.1921, longitude: 115.7763, accuracy: 15 },
  calls: [],
};

function makeWx() {
  const base = createNodeWx();
  const rawRequest = base.request;
  const later = (fn) => setTimeout(fn, 0);
  const ok = (name) => (o) => { state.calls.push([name, o]); later(() => o && o.success && o.success({})); };
  const systemInfo = { SDKVersion: '3.3.4', windowWidth: 375, windowHeight: 812, screenWidth: 375, screenHeight: 812, pixelRatio: 2, statusBarHeight: 44, platform: 'ios' };
  return Object.assign(base, {
    request(o) {
      state.pending += 1;
      const done = (fn) => (res) => { state.pending -= 1; if (fn) fn(res); };
      return rawRequest(Object.assign({}, o, { success: done(o.success), fail: done(o.fail) }));
    },
    showToast: (o) => { state.lastToast = o; state.calls.push(['showToast', o]); },
    showModal: (o) => { state.calls.push(['showModal', o]); },
    showLoading() {},
    hideLoading() {},
    showActionSheet() {},
    navigateTo: ok('navigateTo'),
    redirectTo: ok('redirectTo'),
    switchTab: ok('switchTab'),
    navigateBack: ok('navigateBack'),
    reLaunch: ok('reLaunch'),
    stopPullDownRefresh() {},
    setKeepScreenOn() {},
    setNavigationBarTitle: (o) => { state.title = o.title; },
    showShareMenu() {},
    pageScrollTo() {},
    vibrateShort() {},
    setTabBarBadge: (o) => state.calls.push(['setTabBarBadge', o]),
    removeTabBarBadge: (o) => state.calls.push(['removeTabBarBadge', o]),
    getSystemInfoSync: () => Object.assign({}, systemInfo),
    getWindowInfo: () => Object.assign({}, systemInfo),
    getAppBaseInfo: () => ({ SDKVersion: systemInfo.SDKVersion, language: 'zh_CN', theme: 'light' }),
    getDeviceInfo: () => ({ platform: 'ios', system: 'iOS 17.0' }),
    getMenuButtonBoundingClientRect: () => ({ top: 50, bottom: 82, left: 281, right: 368, width: 87, height: 32 }),
    getLaunchOptionsSync: () => ({ scene: 1001, path: '', query: {} }),
    getEnterOptionsSync: () => ({ scene: 1001, path: '', query: {} }),
    canIUse: () => true,
    nextTick: (fn) => later(fn),
    createSelectorQuery() {
      const q = {
        in: () => q, select: () => q, selectAll: () => q, selectViewport: () => q,
        boundingClientRect: (cb) => { q.cb = cb; return q; },
        scrollOffset: (cb) => { q.cb = cb; return q; },
        fields: (f, cb) => { q.cb = cb; return q; },
        exec: (cb) => { const r = { width: 375, height: 44, left: 0, top: 0, right: 375, bottom: 44 }; later(() => { if (q.cb) q.cb(r); if (cb) cb([r, r]); }); return q; },
      };
      return q;
    },
    createIntersectionObserver: () => ({ relativeToViewport() { return this; }, relativeTo() { return this; }, observe() {}, disconnect() {} }),
    getSetting: (o) => later(() => o.success({ authSetting: { 'scope.userLocation': true }, subscriptionsSetting: { mainSwitch: true } })),
    getLocation: (o) => later(() => o.success(Object.assign({ errMsg: 'getLocation:ok' }, state.location))),
    getFuzzyLocation: (o) => later(() => o.success(Object.assign({ errMsg: 'getFuzzyLocation:ok' }, state.location))),
    onNeedPrivacyAuthorization() {},
    openPrivacyContract: ok('openPrivacyContract'),
    scanCode: (o) => later(() => o.fail && o.fail({ errMsg: 'scanCode:fail cancel' })),
    // A phone refuses the prompt outside a tap; the renderer never taps.
    requestSubscribeMessage: (o) => {
      state.calls.push(['requestSubscribeMessage', o]);
      const allowed = gesture.inTap();
      later(() => (allowed ? o.success && o.success({}) : o.fail && o.fail({ errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.' })));
    },
    downloadFile: (o) => later(() => o.fail && o.fail({ errMsg: 'downloadFile:fail offline renderer' })),
    openLocation() {},
    makePhoneCall() {},
    openSetting: ok('openSetting'),
  });
}

global.wx = makeWx();
global.__app = { globalData: {} };
global.__currentPages = [];
global.getApp = () => global.__app;
global.getCurrentPages = () => global.__currentPages;
gesture.install();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');

setApiBase(API);

const nonce = () => crypto.randomBytes(4).toString('hex');

async function loginAs(name) {
  const session = wx.__newSession();
  wx.__queueLoginCode(`${name}#${nonce()}`);
  await auth.login();
  return session;
}

// Wait until no request has been in flight for `quietMs`.
async function settle(quietMs = 300, maxMs = 15000) {
  const t0 = Date.now();
  let quietSince = Date.now();
  while (Date.now() - t0 < maxMs) {
    // eslint-disable-next-line no-await-in-loop
    await new Promise((r) => setTimeout(r, 40));
    if (state.pending > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
  }
}

function currentBadge() {
  const last = state.calls.filter(([n]) => n === 'setTabBarBadge' || n === 'removeTabBarBadge').pop();
  return last && last[0] === 'setTabBarBadge' ? { [last[1].index]: last[1].text } : {};
}

function qrSvg(value) {
  // QRCode.toString is callback/async; the sync core is enough for an SVG.
  const qr = QRCode.create(value, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  let d = '';
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) if (qr.modules.get(x, y)) d += `M${x + 2} ${y + 2}h1v1h-1z`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size + 4} ${size + 4}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

let shooter = null;
let seq = 0;
const waiting = new Map();

function startShooter() {
  if (shooter) return;
  shooter = fork(path.join(ROOT, 'tools/render/shoot.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  shooter.on('message', (msg) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg);
  });
}

function send(msg) {
  startShooter();
  seq += 1;
  const id = seq;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    shooter.send(Object.assign({ id }, msg));
  });
}

function stopShooter() {
  if (!shooter) return Promise.resolve();
  const child = shooter;
  shooter = null;
  return new Promise((resolve) => {
    child.on('exit', resolve);
    child.send({ cmd: 'close' });
    setTimeout(() => { child.kill(); resolve(); }, 5000);
  });
}

const loaded = {};
function loadPage(rel) {
  if (!loaded[rel]) loaded[rel] = load(rel);
  return loaded[rel];
}

// Open `rel` like WeChat does (onLoad(options), onShow), let its requests finish, shoot it.
// Resolves with {comp, problems, png}.
async function shoot(name, rel, { options = {}, show = true, before, after, toast = false } = {}) {
  state.lastToast = null;
  state.title = null;
  const comp = simulate.render(loadPage(rel));
  comp.attach(document.createElement('parent-wrapper'));
  global.__currentPages = [comp.instance];
  if (before) await before(comp);
  if (comp.instance.onLoad) comp.instance.onLoad(options);
  if (show && comp.instance.onShow) comp.instance.onShow();
  await settle();
  if (after) {
    await after(comp);
    await settle();
  }
  const html = buildDocument(rel, comp, {
    toast: toast ? state.lastToast : null,
    badge: currentBadge(),
    qrSvg,
    title: state.title,
  });
  const result = await send({ name, html, dir: SHOTS });
  if (comp.instance.onUnload) comp.instance.onUnload();
  return Object.assign({ comp }, result);
}

module.exports = { API, SHOTS, state, loginAs, settle, shoot, stopShooter, wx: global.wx };
