// Sharing to a chat (onShareAppMessage) and to Moments (onShareTimeline) — the main way
// volunteers are recruited. A shared page must open straight to its content for someone who
// has never used the app: it reads public endpoints only, needs no login, and in Moments'
// single-page mode (scene 1154, where wx.login is unavailable) it does not try to log in.
//
//   onLoad()            { share.enable(); … }
//   onShareAppMessage() { return share.toChat('标题', '/pages/x/index', { id: 1 }); }
//   onShareTimeline()   { return share.toTimeline('标题', { id: 1 }); }

const SINGLE_PAGE_SCENE = 1154; // opened from Moments (朋友圈单页模式)

function query(params) {
  return Object.keys(params || {})
    .filter((k) => params[k] !== undefined && params[k] !== null && params[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k])}`)
    .join('&');
}

// Show both share entries in the capsule menu (Moments needs it said explicitly).
function enable() {
  if (typeof wx.showShareMenu === 'function') {
    wx.showShareMenu({ withShareTicket: false, menus: ['shareAppMessage', 'shareTimeline'] });
  }
}

function toChat(title, path, params, imageUrl) {
  const q = query(params);
  const out = { title: String(title || '平安大联盟').slice(0, 60), path: q ? `${path}?${q}` : path };
  if (imageUrl) out.imageUrl = imageUrl;
  return out;
}

function toTimeline(title, params, imageUrl) {
  const out = { title: String(title || '平安大联盟').slice(0, 60), query: query(params) };
  if (imageUrl) out.imageUrl = imageUrl;
  return out;
}

// True when the page was opened from Moments: no login, no tab bar, read-only.
function isSinglePage() {
  try {
    const opts = wx.getEnterOptionsSync ? wx.getEnterOptionsSync() : wx.getLaunchOptionsSync();
    return Boolean(opts && opts.scene === SINGLE_PAGE_SCENE);
  } catch (e) {
    return false;
  }
}

module.exports = { enable, toChat, toTimeline, isSinglePage, query, SINGLE_PAGE_SCENE };
