// The Chromium side of the page renderer, run as a child process of the render tests
// (tests/render/pages.test.js) so that the browser lives outside jest's jsdom world.
// Messages in: {id, name, html, dir}; out: {id, problems: [...], png}.
// For each page it writes <dir>/<name>.png (first screen, 375×812 @2x) and <name>.full.png
// (whole page), then checks what a user would see:
//  * overflow: text that runs out of its own box or is cut by a clipping ancestor, without an
//    intended ellipsis / line clamp; anything wider than the screen;
//  * contrast: text against its background below 4.5:1 (3:1 for large text, WCAG 2.1 AA);
//    disabled controls are exempt;
//  * classes defined nowhere: a class on the page's own elements or on the project's
//    components that no stylesheet rule names.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Runs in the page.
function inspect() {
  const problems = [];
  const shell = (el) => el.closest('.mp-status, .mp-nav, .mp-tabbar, .mp-toast');
  const textOf = (el) => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);

  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // Candidate backgrounds behind `el` (several for a gradient).
  const backgroundsOf = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const cs = getComputedStyle(node);
      const img = cs.backgroundImage;
      if (img && img !== 'none' && /gradient/.test(img)) {
        const stops = (img.match(/rgba?\([^)]+\)/g) || []).map(parse).filter(Boolean);
        if (stops.length) return { layers, stops };
      }
      const bg = parse(cs.backgroundColor);
      if (bg && bg.a > 0) {
        layers.push(bg);
        if (bg.a >= 1) return { layers, stops: null };
      }
    }
    return { layers, stops: [{ r: 255, g: 255, b: 255, a: 1 }] };
  };
  const effectiveBackgrounds = (el) => {
    const { layers, stops } = backgroundsOf(el);
    const bases = stops || [layers.pop()];
    return bases.map((base) => layers.reduceRight((acc, layer) => blend(layer, acc), Object.assign({}, base, { a: 1 })));
  };
  const opacityOf = (el) => {
    let o = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) o *= Number(getComputedStyle(node).opacity);
    return o;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && Number(cs.opacity) > 0;
  };
  const intended = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const cs = getComputedStyle(node);
      if (cs.textOverflow === 'ellipsis' || (cs.webkitLineClamp && cs.webkitLineClamp !== 'none')) return true;
      if (node.classList.contains('mp-body')) break;
    }
    return false;
  };
  const disabled = (el) => Boolean(el.closest('[disabled], [class*="disabled"], [aria-disabled="true"]'));
  // Inside a horizontal scroller (a tab bar that scrolls): running past its edge is intended.
  const inScroller = (el) => {
    for (let node = el.parentElement; node && !node.classList.contains('mp-body'); node = node.parentElement) {
      const ox = getComputedStyle(node).overflowX;
      if (ox === 'auto' || ox === 'scroll' || node.tagName.toLowerCase() === 'wx-scroll-view') return true;
    }
    return false;
  };

  const width = document.documentElement.scrollWidth;
  if (width > 376) problems.push({ type: 'overflow', text: '', detail: `page is ${width}px wide (screen 375px)` });

  const walker = document.createTreeWalker(document.querySelector('.mp-body'), NodeFilter.SHOW_TEXT);
  const seenContrast = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    const el = t.parentElement;
    if (!el || shell(el) || !visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    if (!rects.length) continue;
    const box = {
      left: Math.min(...rects.map((r) => r.left)),
      right: Math.max(...rects.map((r) => r.right)),
      top: Math.min(...rects.map((r) => r.top)),
      bottom: Math.max(...rects.map((r) => r.bottom)),
    };
    // overflow: its own box, then every clipping ancestor
    if (!intended(el) && !inScroller(el)) {
      for (let node = el; node && !node.classList.contains('mp-body'); node = node.parentElement) {
        const cs = getComputedStyle(node);
        const clips = node === el || cs.overflowX !== 'visible' || cs.overflowY !== 'visible';
        if (!clips || cs.display === 'inline' || cs.display === 'contents') continue;
        const r = node.getBoundingClientRect();
        const outX = box.right - r.right > 1.5 || r.left - box.left > 1.5;
        const outY = (cs.overflowY !== 'visible' || node === el) && (box.bottom - r.bottom > 2 || r.top - box.top > 2);
        if (outX || (outY && cs.overflowY !== 'visible')) {
          problems.push({
            type: 'overflow',
            text: textOf(el),
            detail: `text ${Math.round(box.right - box.left)}×${Math.round(box.bottom - box.top)} at x ${Math.round(box.left)} overflows <${node.tagName.toLowerCase()} class="${node.className}"> (${Math.round(r.left)}–${Math.round(r.right)})`,
          });
          break;
        }
      }
      if (box.right > 376 || box.left < -1) problems.push({ type: 'overflow', text: textOf(el), detail: 'runs off the screen' });
    }
    // contrast
    const cs = getComputedStyle(el);
    if (disabled(el) || seenContrast.has(el)) continue;
    seenContrast.add(el);
    const fg = parse(cs.color);
    if (!fg) continue;
    fg.a *= opacityOf(el);
    const size = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const need = large ? 3 : 4.5;
    const worst = Math.min(...effectiveBackgrounds(el).map((bg) => ratio(blend(fg, bg), bg)));
    if (worst < need - 0.05) {
      problems.push({ type: 'contrast', text: textOf(el), detail: `${worst.toFixed(2)}:1 (needs ${need}:1) colour ${cs.color} at ${size}px` });
    }
  }

  // classes defined nowhere: the page's own (main--x) and the project's components (sa-*--x)
  const defined = new Set();
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      const text = rule.selectorText || (rule.cssRules ? [...rule.cssRules].map((r) => r.selectorText || '').join(',') : '');
      (text.match(/\.[\w-]+/g) || []).forEach((c) => defined.add(c.slice(1)));
    }
  }
  const missing = new Set();
  document.querySelectorAll('.mp-body [class]').forEach((el) => {
    el.classList.forEach((c) => {
      const own = c.match(/^(main|sa-[\w]+(?:-[\w]+)*)--(.+)$/);
      if (own && !defined.has(c) && !/^(t|van)-/.test(own[2])) missing.add(`${own[2]} (in <${own[1]}>)`);
    });
  });
  missing.forEach((c) => problems.push({ type: 'class', text: '', detail: `class ${c} is defined nowhere` }));
  return problems;
}

let browser;
let page;

async function open() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: 'light',
    locale: 'zh-CN',
  });
  // Nothing leaves the machine: a page that needs the network is a bug of the renderer.
  await context.route(/^https?:/, (route) => route.abort());
  page = await context.newPage();
}

async function shoot({ name, html, dir }) {
  const htmlDir = path.join(dir, 'html');
  fs.mkdirSync(htmlDir, { recursive: true });
  const htmlFile = path.join(htmlDir, `${name}.html`);
  fs.writeFileSync(htmlFile, html);
  await page.goto(`file://${htmlFile}`, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const problems = await page.evaluate(inspect);
  const png = path.join(dir, `${name}.png`);
  await page.screenshot({ path: png });
  await page.evaluate(() => document.body.classList.add('full'));
  await page.screenshot({ path: path.join(dir, `${name}.full.png`), fullPage: true });
  return { problems, png };
}

process.on('message', async (msg) => {
  if (msg.cmd === 'close') {
    if (browser) await browser.close();
    process.exit(0);
  }
  try {
    if (!browser) await open();
    const result = await shoot(msg);
    process.send({ id: msg.id, ...result });
  } catch (e) {
    process.send({ id: msg.id, error: String((e && e.stack) || e) });
  }
});
