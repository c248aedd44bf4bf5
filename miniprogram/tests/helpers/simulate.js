// Load and drive pages and components with miniprogram-simulate, the way WeChat would:
//  * the official WXML compiler (wcc, shipped in npm miniprogram-compiler) compiles templates;
//  * `usingComponents` entries that name an npm path ("tdesign-miniprogram/button/button") are
//    looked up in the nearest miniprogram_npm folder, like the mini-program runtime does;
//  * the components registered in app.json `usingComponents` are available to every page and
//    component of the project, as in WeChat.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const mpCompiler = require('miniprogram-compiler');
const simulateUtils = require('miniprogram-simulate/src/utils');
const simulate = require('miniprogram-simulate');

const ROOT = path.resolve(__dirname, '../..');
const APP = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));
const GLOBAL_COMPONENTS = APP.usingComponents || {};

function isNpmPath(value) {
  return !/^(\.|\/|plugin:|plugin-private:)/.test(value);
}

// "tdesign-miniprogram/button/button" seen from `file` → "/miniprogram_npm/tdesign-miniprogram/button/button".
function resolveNpm(file, value) {
  let dir = path.dirname(file);
  while (dir.startsWith(ROOT)) {
    const candidate = path.join(dir, 'miniprogram_npm', value);
    if (fs.existsSync(`${candidate}.json`)) return `/${path.relative(ROOT, candidate)}`;
    if (dir === ROOT) break;
    dir = path.dirname(dir);
  }
  throw new Error(`${path.relative(ROOT, file)}: component "${value}" not found in miniprogram_npm (run npm ci)`);
}

function resolveComponents(file, json) {
  if (!json || (!json.usingComponents && !json.component && !file.startsWith(ROOT))) return json;
  const own = json.usingComponents || {};
  const insideNpm = file.includes(`${path.sep}miniprogram_npm${path.sep}`);
  const merged = insideNpm ? Object.assign({}, own) : Object.assign({}, GLOBAL_COMPONENTS, own);
  Object.keys(merged).forEach((key) => {
    if (isNpmPath(merged[key])) merged[key] = resolveNpm(file, merged[key]);
  });
  return Object.assign({}, json, { usingComponents: merged });
}

// The WXML the official compiler needs: the project's own templates and those of the npm
// components they can reach (not all of TDesign), compiled once per change and kept on disk so
// that every test file does not run wcc again.
const SKIP = new Set(['node_modules', 'miniprogram_npm', 'tests', 'tools', '.git']);

function walk(dir, ext, out) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    if (SKIP.has(entry.name)) return;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, ext, out);
    else if (entry.name.endsWith(ext)) out.push(full);
  });
  return out;
}

function npmClosure(projectFiles) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    let json = {};
    try {
      json = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    } catch (e) {
      return;
    }
    Object.values(json.usingComponents || {}).forEach((value) => {
      const target = value.startsWith('/') ? path.join(ROOT, value) : path.join(path.dirname(file), value);
      if (fs.existsSync(`${target}.json`)) visit(target);
    });
  };
  const roots = projectFiles.map((f) => f.replace(/\.wxml$/, ''));
  Object.values(GLOBAL_COMPONENTS).forEach((value) => {
    const target = isNpmPath(value) ? path.join(ROOT, 'miniprogram_npm', value) : path.join(ROOT, value);
    roots.push(target);
  });
  roots.forEach(visit);
  return [...seen].filter((f) => f.includes(`${path.sep}miniprogram_npm${path.sep}`) && fs.existsSync(`${f}.wxml`));
}

function compileList() {
  const own = walk(ROOT, '.wxml', []);
  // the reachable components, and the templates they <import> (common/template/*.wxml)
  const npm = npmClosure(own).map((f) => `${f}.wxml`);
  const npmDirForTemplates = path.join(ROOT, 'miniprogram_npm');
  if (fs.existsSync(npmDirForTemplates)) {
    walkAll(npmDirForTemplates, '.wxml', [])
      .filter((f) => /[\\/]common[\\/]/.test(f))
      .forEach((f) => npm.push(f));
  }
  const wxml = own.concat(npm).map((f) => path.relative(ROOT, f));
  const npmDir = path.join(ROOT, 'miniprogram_npm');
  const wxs = walk(ROOT, '.wxs', [])
    .concat(fs.existsSync(npmDir) ? walkAll(npmDir, '.wxs', []) : [])
    .map((f) => path.relative(ROOT, f));
  return { wxml, wxs };
}

function walkAll(dir, ext, out) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walkAll(full, ext, out);
    else if (entry.name.endsWith(ext)) out.push(full);
  });
  return out;
}

if (!mpCompiler.__cached) {
  const wxmlToJs = mpCompiler.wxmlToJs;
  mpCompiler.wxmlToJs = (rootPath, options) => {
    const { wxml, wxs } = compileList();
    const hash = crypto.createHash('sha1');
    wxml.concat(wxs).forEach((rel) => {
      hash.update(rel);
      hash.update(fs.readFileSync(path.join(rootPath, rel)));
      const json = path.join(rootPath, rel.replace(/\.wxml$/, '.json'));
      if (rel.endsWith('.wxml') && fs.existsSync(json)) hash.update(fs.readFileSync(json));
    });
    const cacheFile = path.join(os.tmpdir(), `sa-mp-wcc-${hash.digest('hex')}.js`);
    if (fs.existsSync(cacheFile)) return fs.readFileSync(cacheFile, 'utf8');
    const out = wxmlToJs(rootPath, Object.assign({}, options, { wxmlList: wxml, wxsList: wxs }));
    fs.writeFileSync(`${cacheFile}.tmp${process.pid}`, out);
    fs.renameSync(`${cacheFile}.tmp${process.pid}`, cacheFile);
    return out;
  };
  mpCompiler.__cached = true;
}

// rpx in inline styles at a 375 px wide screen (j-component would turn 1rpx into 1px).
const jUtils = require('j-component/src/tool/utils');

jUtils.transformRpx = (style) => String(style || '').replace(/(-?\d*\.?\d+)rpx/g, (m, n) => `${+(Number(n) / 2).toFixed(3)}px`);

// miniprogram-simulate compiles every component's WXSS (postcss + csso) to inject it into
// jsdom, where nothing reads it: the unit tests do not look at styles, and the page renderer
// (tools/render/lib.js) builds its own CSS. Skipping it saves seconds per test file.
const simulateWxss = require('miniprogram-simulate/src/wxss');

if (!simulateWxss.realCompile) {
  simulateWxss.realCompile = simulateWxss.compile;
  simulateWxss.realGetContent = simulateWxss.getContent;
  simulateWxss.compile = () => '';
  simulateWxss.getContent = () => '';
}

if (!simulateUtils.__npmResolution) {
  const readJson = simulateUtils.readJson;
  simulateUtils.readJson = (file) => {
    const json = readJson(file);
    return file.endsWith('app.json') ? json : resolveComponents(file, json);
  };
  // miniprogram-simulate runs a component's JS once per load() and relies on deleting it from
  // require.cache to run it again for the next page; jest's module registry ignores that, so a
  // component used by two pages would only register for the first. The definition a file gives
  // to Component() is kept and handed to Component() again on the next load.
  // (miniprogram-simulate rewrites `relations` in place, so each registration gets a copy.)
  const runJs = simulateUtils.runJs;
  const definitions = new Map();
  const copy = (options) => {
    if (!options.relations) return Object.assign({}, options);
    const relations = {};
    Object.keys(options.relations).forEach((key) => {
      relations[key] = Object.assign({}, options.relations[key]);
    });
    return Object.assign({}, options, { relations });
  };
  simulateUtils.runJs = (file) => {
    if (definitions.has(file)) {
      global.Component(copy(definitions.get(file)));
      return;
    }
    const register = global.Component;
    let definition = null;
    global.Component = (options) => {
      definition = copy(options);
      return register(options);
    };
    try {
      runJs(file);
    } finally {
      global.Component = register;
    }
    if (definition) definitions.set(file, definition);
  };
  simulateUtils.__npmResolution = true;
}

// Load a page/component by its path from the mini-program root, e.g. 'pages/home/index'.
function load(relPath) {
  return simulate.load(path.join(ROOT, relPath), {
    compiler: 'official',
    rootPath: ROOT,
    compilerOptions: { maxBuffer: 64 * 1024 * 1024 },
  });
}

// Render and attach so that selectors and events work like in a page.
function render(id, props) {
  const comp = simulate.render(id, props);
  const parent = document.createElement('parent-wrapper');
  comp.attach(parent);
  global.__currentPages = [comp.instance];
  return comp;
}

// Let promise chains started by handlers run to completion.
async function flush(times = 5) {
  for (let i = 0; i < times; i += 1) {
    // eslint-disable-next-line no-await-in-loop
    await simulate.sleep(0);
  }
}

// The element that receives a finger: a TDesign component (t-button, t-cell …) listens on the
// first element of its own template; a plain view listens on itself.
function firstElement(exNode) {
  const kids = (exNode && exNode.childNodes) || [];
  for (let i = 0; i < kids.length; i += 1) {
    const kid = kids[i];
    if (kid && kid.$$ && kid.$$.nodeType === 1) return kid;
    const inner = firstElement(kid);
    if (inner) return inner;
  }
  return null;
}

function tapTarget(node) {
  const shadow = node && node._exparserNode && node._exparserNode.shadowRoot;
  if (!shadow) return node;
  const first = firstElement(shadow);
  if (!first) return node;
  return first.__componentNode__ || new node.constructor(first);
}

// querySelector that also looks into custom components: 'sa-location-help >>> #open-setting'.
function find(comp, selector) {
  if (typeof selector !== 'string') return selector;
  return selector.split(/\s*>>>\s*/).reduce((node, part) => (node ? node.querySelector(part) : null), comp);
}

// Tap the element matching `selector` like a finger does and let the handler run.
async function tap(comp, selector, detail) {
  const node = find(comp, selector);
  if (!node) throw new Error(`nothing to tap at ${selector}`);
  tapTarget(node).dispatchEvent('tap', { detail: detail || {} });
  await flush();
}

// Fire a component event (getphonenumber, change …) where the platform would raise it: on the
// native element inside a TDesign component, on the element itself otherwise.
async function fire(comp, selector, eventName, detail) {
  const node = find(comp, selector);
  if (!node) throw new Error(`nothing at ${selector}`);
  tapTarget(node).dispatchEvent(eventName, { detail: detail || {} });
  await flush();
}

// The text a user reads at `selector` (for TDesign components too).
function textOf(comp, selector) {
  const node = find(comp, selector);
  if (!node) return null;
  if (node.dom) return node.dom.textContent;
  const first = tapTarget(node);
  return first && first.dom ? first.dom.textContent : '';
}

module.exports = { simulate, load, render, flush, tap, fire, textOf, find, ROOT };
