// A rendered page (miniprogram-simulate / j-component in jsdom) → a standalone HTML file that
// headless Chromium screenshots at 375 px wide, like a phone's WeChat webview would draw it.
//
//  * DOM: the page's own jsdom tree (j-component renders wx-view, wx-text … elements; TDesign
//    components are virtual hosts, so their template is inline). Classes are prefixed per
//    component (`main--card`, `t-button--t-button`) as miniprogram-simulate isolates styles.
//  * CSS: every component's WXSS compiled with miniprogram-simulate's own prefixing, app.wxss for
//    the page and for components whose styleIsolation lets it in (apply-shared / shared);
//    rpx → px at 375 px (1rpx = 0.5px); tag selectors → wx-* elements; `page` → the page root.
//  * Built-in components are approximated (input placeholder, map placeholder, canvas-drawn QR
//    codes redrawn from their value); WeChat's shell (status bar, navigation bar with capsule,
//    tab bar with the app's icons, the last toast) is drawn around the page.
const fs = require('fs');
const path = require('path');
const simulateWxss = require('miniprogram-simulate/src/wxss');

// The real WXSS tools even when the test helpers switched them off for speed.
const wxssTool = {
  compile: simulateWxss.realCompile || simulateWxss.compile,
  getContent: simulateWxss.realGetContent || simulateWxss.getContent,
};

const MP = path.resolve(__dirname, '../..');
const APP = JSON.parse(fs.readFileSync(path.join(MP, 'app.json'), 'utf8'));

const TAGS = ['scroll-view', 'checkbox-group', 'radio-group', 'rich-text', 'movable-area', 'movable-view',
  'cover-view', 'cover-image', 'view', 'text', 'image', 'button', 'input', 'textarea', 'picker-view',
  'picker', 'map', 'checkbox', 'radio', 'switch', 'label', 'navigator', 'icon', 'swiper-item', 'swiper',
  'canvas', 'form', 'slider', 'progress', 'block'];

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rpxToPx(css) {
  return String(css).replace(/(-?\d*\.?\d+)rpx/g, (m, n) => `${+(Number(n) * 375 / 750).toFixed(3)}px`);
}

// `.actions button` → `.actions wx-button`, `page` → `.mp-page`
function convertSelector(sel) {
  let out = sel.replace(/(^|[^.#\w-])page(?![\w-])/g, '$1.mp-page');
  const re = new RegExp(`(^|[^.#\\w-])(${TAGS.join('|')})(?![\\w-])`, 'g');
  out = out.replace(re, '$1wx-$2');
  return out;
}

// dropPage: for a component's copy of app.wxss, whose `page {}` rules apply once, to the page.
function convertCss(css, { dropPage = false } = {}) {
  const postcss = require(require.resolve('postcss', { paths: [path.join(MP, 'node_modules/miniprogram-simulate')] }));
  const root = postcss.parse(css);
  root.walkRules((rule) => {
    if (rule.parent && rule.parent.type === 'atrule' && /keyframes/.test(rule.parent.name)) return;
    const selectors = rule.selectors.filter((s) => !/:host/.test(s)).map(convertSelector)
      .filter((s) => !(dropPage && /(^|[^\w-])\.mp-page(?![\w-])/.test(s)));
    if (!selectors.length) rule.remove();
    else rule.selectors = selectors;
  });
  // TDesign's light theme sits in `@media (prefers-color-scheme: light)`: Chromium headless is light.
  return rpxToPx(root.toString());
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return null;
  }
}

function resolveComponent(fromFile, value) {
  if (value.startsWith('/')) return path.join(MP, value);
  if (value.startsWith('.')) return path.join(path.dirname(fromFile), value);
  let dir = path.dirname(fromFile);
  while (dir.startsWith(MP)) {
    const candidate = path.join(dir, 'miniprogram_npm', value);
    if (fs.existsSync(`${candidate}.json`)) return candidate;
    if (dir === MP) break;
    dir = path.dirname(dir);
  }
  return null;
}

// [{file, tag, json}] in miniprogram-simulate's registration order (first tag wins per file).
function componentsOf(pageRel) {
  const seen = new Map();
  const globals = APP.usingComponents || {};
  const visit = (file, tag) => {
    if (seen.has(file)) return;
    const json = readJson(`${file}.json`) || {};
    seen.set(file, { file, tag, json });
    const insideNpm = file.includes(`${path.sep}miniprogram_npm${path.sep}`);
    const using = Object.assign({}, insideNpm ? {} : globals, json.usingComponents || {});
    Object.keys(using).forEach((key) => {
      const target = resolveComponent(file, using[key]);
      if (target && fs.existsSync(`${target}.json`)) visit(target, key);
    });
  };
  visit(path.join(MP, pageRel), 'main');
  return [...seen.values()];
}

function styleIsolation(json) {
  return (json && (json.styleIsolation || (json.options && json.options.styleIsolation))) || 'isolated';
}

// All CSS of a page, as miniprogram-simulate scopes it (compiled once per component and tag).
const cssCache = new Map();
function pageCss(pageRel) {
  const appWxss = wxssTool.getContent(path.join(MP, 'app.wxss'));
  const parts = [];
  componentsOf(pageRel).forEach(({ file, tag, json }) => {
    const isPage = tag === 'main';
    const shared = isPage || ['apply-shared', 'shared'].includes(styleIsolation(json));
    const key = `${file}|${tag}|${shared}`;
    if (isPage || !cssCache.has(key)) {
      const own = wxssTool.getContent(`${file}.wxss`);
      const source = (shared ? `${appWxss}\n` : '') + own;
      const css = `/* ${path.relative(MP, file)} as <${tag}> */\n${convertCss(wxssTool.compile(source, { prefix: tag }), { dropPage: !isPage })}`;
      if (isPage) {
        parts.push(css);
        return;
      }
      cssCache.set(key, css);
    }
    parts.push(cssCache.get(key));
  });
  return parts.join('\n');
}

const PLACEHOLDER_IMG = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#d9dde3"/>'
  + '<text x="150" y="105" font-size="16" text-anchor="middle" fill="#5c5c5c">图片</text></svg>',
)}`;

// Built-in components that need a stand-in in Chromium.
function patchBuiltIns(root, qrSvg) {
  const doc = root.ownerDocument;
  root.querySelectorAll('wx-image').forEach((el) => {
    let src = el.getAttribute('src') || '';
    if (src && /^\//.test(src) && fs.existsSync(path.join(MP, src))) {
      const ext = path.extname(src).slice(1).replace('svg', 'svg+xml');
      src = `data:image/${ext};base64,${fs.readFileSync(path.join(MP, src)).toString('base64')}`;
    } else if (src && !/^data:/.test(src)) {
      src = PLACEHOLDER_IMG; // temp files and network images are not fetched
    }
    const mode = el.getAttribute('mode');
    const fit = { aspectFill: 'cover', aspectFit: 'contain', widthFix: 'fill' }[mode] || 'fill';
    el.innerHTML = src ? `<img src="${esc(src)}" style="object-fit:${fit}" alt="">` : '';
  });
  root.querySelectorAll('wx-input, wx-textarea').forEach((el) => {
    const value = el.getAttribute('value');
    const has = value !== null && value !== '';
    const shown = has ? (el.hasAttribute('password') ? '•'.repeat(value.length) : value) : (el.getAttribute('placeholder') || '');
    const phClass = el.getAttribute('placeholder-class') || '';
    el.innerHTML = `<span class="${has ? 'mp-value' : `mp-ph ${phClass}`}">${esc(shown)}</span>`;
  });
  root.querySelectorAll('wx-map').forEach((el) => {
    el.innerHTML = '<span class="mp-map"><b class="pin"></b>地图</span>';
  });
  root.querySelectorAll('[data-qr-value]').forEach((el) => {
    const value = el.getAttribute('data-qr-value');
    if (value && qrSvg) el.innerHTML = qrSvg(value);
  });
  root.querySelectorAll('wx-canvas').forEach((el) => {
    if (!el.innerHTML) el.innerHTML = '';
  });
  // jsdom-only attributes that mean nothing to Chromium
  root.querySelectorAll('[hidden]').forEach((el) => el.setAttribute('style', `${el.getAttribute('style') || ''};display:none`));
  return doc;
}

const UA_CSS = `
html,body{margin:0;padding:0;background:#fff}
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei",sans-serif;-webkit-font-smoothing:antialiased}
.mp-page{display:block;min-height:100%;font-size:16px}
main{display:block}
wx-view,wx-scroll-view,wx-picker,wx-checkbox-group,wx-radio-group,wx-rich-text,wx-swiper,wx-swiper-item,wx-navigator,wx-form,wx-cover-view,wx-picker-view,wx-movable-area{display:block}
wx-text{display:inline;white-space:pre-wrap}
wx-label{display:inline}
wx-block{display:contents}
wx-image{display:inline-block;width:320px;height:240px;overflow:hidden;position:relative}
wx-image img{width:100%;height:100%;display:block}
wx-image[mode=widthFix]{height:auto}
wx-button{position:relative;display:block;box-sizing:border-box;margin-left:auto;margin-right:auto;padding-left:14px;padding-right:14px;font-size:18px;text-align:center;text-decoration:none;line-height:2.55555556;border-radius:5px;color:#000;background-color:#f8f8f8;overflow:hidden}
wx-button::after{content:" ";width:200%;height:200%;position:absolute;top:0;left:0;border:1px solid rgba(0,0,0,.2);transform:scale(.5);transform-origin:0 0;box-sizing:border-box;border-radius:10px}
wx-button[size=mini]{display:inline-block;line-height:2.3;font-size:13px;padding:0 1.34em}
wx-input{display:block;height:1.4rem;min-height:1.4rem;line-height:1.4rem;overflow:hidden;white-space:nowrap;text-overflow:clip}
wx-textarea{display:block;width:300px;height:150px;overflow:hidden;white-space:pre-wrap}
.mp-ph{color:#737373}
wx-map{display:block;width:300px;height:225px;position:relative;overflow:hidden;
  background:#eef2f5 repeating-linear-gradient(0deg,transparent 0 38px,#dfe6ec 38px 40px),repeating-linear-gradient(90deg,transparent 0 38px,#dfe6ec 38px 40px)}
wx-map .mp-map{position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;color:#5c5c5c;font-size:12px}
wx-map .mp-map .pin{width:18px;height:18px;border-radius:50% 50% 50% 0;background:#c8161d;transform:rotate(-45deg);margin-bottom:8px}
wx-scroll-view[scroll-x]{overflow-x:auto;white-space:nowrap}
wx-scroll-view{overflow:hidden}
wx-canvas{display:inline-block}
[data-qr-value] svg{width:100%;height:100%;display:block}
/* the WeChat shell */
.mp-frame{width:375px;position:relative;min-height:812px;display:flex;flex-direction:column}
.mp-status{height:44px;display:flex;align-items:center;justify-content:space-between;padding:0 26px;font-size:15px;font-weight:600;box-sizing:border-box}
.mp-nav{height:44px;position:relative;display:flex;align-items:center;justify-content:center;font-size:17px;font-weight:500}
.mp-nav .back{position:absolute;left:10px;top:6px;font-size:30px;line-height:28px;font-weight:300}
.mp-nav .capsule{position:absolute;right:7px;top:6px;width:87px;height:32px;box-sizing:border-box;border-radius:16px;border:.5px solid rgba(255,255,255,.35);background:rgba(0,0,0,.12);display:flex;align-items:center;font-size:14px}
.mp-nav.dark .capsule{border-color:rgba(0,0,0,.12);background:rgba(255,255,255,.6)}
.mp-nav .capsule span{flex:1;text-align:center;letter-spacing:1px}
.mp-nav .capsule i{width:.5px;height:18px;background:currentColor;opacity:.3}
.mp-body{flex:1;position:relative}
.full .mp-tabbar{position:relative}
.full .mp-toast{display:none}
.mp-tabbar{position:sticky;bottom:0;height:84px;box-sizing:border-box;padding-bottom:34px;display:flex;z-index:100}
.mp-tabbar .item{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;font-size:10px}
.mp-tabbar img{width:24px;height:24px;margin-bottom:2px}
.mp-tabbar .badge{position:absolute;margin-left:22px;margin-top:-30px;background:#fa5151;color:#fff;border-radius:8px;font-size:10px;padding:0 5px;line-height:16px}
.mp-toast{position:fixed;left:50%;top:42%;transform:translate(-50%,-50%);background:rgba(17,17,17,.7);color:#fff;border-radius:8px;padding:14px 18px;font-size:15px;max-width:220px;text-align:center;z-index:999}
.mp-toast.icon{min-width:120px;padding-top:20px}
.mp-toast.icon:before{content:"✓";display:block;font-size:40px;line-height:44px}
`;

function dataUrl(rel) {
  return `data:image/png;base64,${fs.readFileSync(path.join(MP, rel)).toString('base64')}`;
}

// j-component keeps the attributes of built-in components (input value, image src …) on its
// own tree, not on the DOM: copy them onto the DOM elements the renderer reads.
const BUILT_INS = new Set(['input', 'textarea', 'image', 'map', 'canvas', 'picker', 'switch', 'slider', 'progress']);

function copyBuiltInAttrs(exNode, seen = new Set()) {
  if (!exNode || seen.has(exNode)) return;
  seen.add(exNode);
  const vt = exNode._vt;
  const dom = exNode.$$;
  if (vt && dom && dom.setAttribute && BUILT_INS.has(vt.tagName)) {
    (vt.attrs || []).forEach(({ name, value }) => {
      if (value === undefined || value === null || value === false || typeof value === 'object') return;
      try {
        dom.setAttribute(name, value === true ? '' : String(value));
      } catch (e) {
        // attribute names jsdom refuses (bind handlers) are irrelevant here
      }
    });
  }
  if (exNode.shadowRoot) copyBuiltInAttrs(exNode.shadowRoot, seen);
  (exNode.childNodes || []).forEach((child) => copyBuiltInAttrs(child, seen));
}

// pageRel: e.g. 'pages/mine/index'; comp: the rendered page. opts: {toast, badge: {index: text}, qrSvg}
function buildDocument(pageRel, comp, opts = {}) {
  const pageJson = readJson(path.join(MP, `${pageRel}.json`)) || {};
  const w = Object.assign({}, APP.window, pageJson);
  const navBg = w.navigationBarBackgroundColor || '#000';
  const navFg = w.navigationBarTextStyle === 'black' ? '#000' : '#fff';
  const tabIndex = APP.tabBar.list.findIndex((t) => t.pagePath === pageRel);
  const isTab = tabIndex >= 0;
  copyBuiltInAttrs(comp._exparserNode);
  const clone = comp.dom.cloneNode(true);
  patchBuiltIns(clone, opts.qrSvg);
  const tb = APP.tabBar;
  const tabbar = isTab ? `<div class="mp-tabbar" style="background:${tb.backgroundColor};border-top:.5px solid ${tb.borderStyle === 'white' ? 'rgba(255,255,255,.33)' : 'rgba(0,0,0,.33)'}">${
    tb.list.map((t, i) => `<div class="item" style="color:${i === tabIndex ? tb.selectedColor : tb.color}"><img src="${dataUrl(i === tabIndex ? t.selectedIconPath : t.iconPath)}" alt="">${
      opts.badge && opts.badge[i] ? `<span class="badge">${esc(opts.badge[i])}</span>` : ''}${esc(t.text)}</div>`).join('')}</div>` : '';
  const toast = opts.toast ? `<div class="mp-toast${opts.toast.icon && opts.toast.icon !== 'none' ? ' icon' : ''}">${esc(opts.toast.title)}</div>` : '';
  const title = opts.title || w.navigationBarTitleText || '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=375">
<title>${esc(pageRel)}</title><style>${UA_CSS}</style><style>${pageCss(pageRel)}</style></head><body>
<div class="mp-frame">
<div class="mp-status" style="background:${navBg};color:${navFg}"><span>9:41</span><span>●●●● 100%</span></div>
<div class="mp-nav${navFg === '#000' ? ' dark' : ''}" style="background:${navBg};color:${navFg}">${isTab ? '' : '<span class="back">‹</span>'}${esc(title)}<div class="capsule"><span>•••</span><i></i><span>◉</span></div></div>
<div class="mp-body mp-page">${clone.outerHTML}</div>
${tabbar}${toast}
</div></body></html>`;
}

module.exports = { buildDocument, pageCss, componentsOf, convertSelector, rpxToPx };
