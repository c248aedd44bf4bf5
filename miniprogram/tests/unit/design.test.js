// The design system's rules, checked on the sources of every page and component (the render
// tests check the same on what Chromium draws, for the key pages).
const fs = require('fs');
const path = require('path');
const { ROOT } = require('../helpers/simulate');
const icons = require('../../tools/build-icons');
const punctuation = require('../../tools/punctuation');
const { FUZZY_API } = require('../../utils/location');

const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));

function pages() {
  const out = app.pages.slice();
  (app.subPackages || []).forEach((pkg) => pkg.pages.forEach((p) => out.push(`${pkg.root}/${p}`)));
  return out;
}

function components() {
  const dir = path.join(ROOT, 'components');
  return fs.readdirSync(dir).map((name) => `components/${name}/index`);
}

const read = (rel) => (fs.existsSync(path.join(ROOT, rel)) ? fs.readFileSync(path.join(ROOT, rel), 'utf8') : '');

// WXSS with its @imports inlined.
function wxss(rel) {
  const file = path.join(ROOT, rel);
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').replace(/@import\s+['"]([^'"]+)['"];?/g, (m, imp) => wxss(path.relative(ROOT, path.join(path.dirname(file), imp))));
}

function classesDefined(css) {
  return new Set([...css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/url\([^)]*\)/g, '').matchAll(/\.([a-zA-Z_][\w-]*)/g)].map((m) => m[1]));
}

// Static class names a template uses (class="…" and TDesign's external t-class*="…").
function classesUsed(wxml) {
  const used = new Set();
  for (const m of wxml.matchAll(/\s(?:class|t-class[\w-]*)="([^"]*)"/g)) {
    m[1].replace(/\{\{[^}]*\}\}/g, ' ').split(/\s+/).filter(Boolean).forEach((c) => {
      if (!/-$/.test(c)) used.add(c);
    });
  }
  return used;
}

test('every class a page or component uses is defined where WeChat will apply it', () => {
  const appClasses = classesDefined(wxss('app.wxss'));
  const missing = [];
  pages().concat(components()).forEach((rel) => {
    const json = JSON.parse(read(`${rel}.json`) || '{}');
    const isComponent = rel.startsWith('components/');
    const shared = !isComponent || ['apply-shared', 'shared'].includes(json.styleIsolation);
    const own = classesDefined(wxss(`${rel}.wxss`));
    classesUsed(read(`${rel}.wxml`)).forEach((c) => {
      if (!own.has(c) && !(shared && appClasses.has(c))) missing.push(`${rel}: .${c}`);
    });
  });
  expect(missing).toEqual([]);
});

test('every icon the sources name is bundled in styles/icons.wxss (npm run build:icons)', () => {
  const bundled = icons.bundledIcons();
  const missing = [...icons.usedIcons()].filter((name) => !bundled.has(name));
  expect(missing).toEqual([]);
});

test('one theme: tokens in styles/theme.wxss, no !important, no colours of the old palette', () => {
  expect(wxss('app.wxss')).not.toMatch(/!important/);
  const offenders = [];
  pages().concat(components()).forEach((rel) => {
    const css = read(`${rel}.wxss`);
    if (/!important/.test(css)) offenders.push(`${rel}: !important`);
    if (/var\(--(text|brand|line|success|warning)[-)]/.test(css)) offenders.push(`${rel}: old token`);
  });
  expect(offenders).toEqual([]);
});

test('Chinese text uses full-width punctuation', () => {
  const issues = [];
  punctuation.sourceFiles(punctuation.APP_DIRS).forEach((file) => {
    punctuation.issuesIn(fs.readFileSync(file, 'utf8'), punctuation.kindOf(file)).forEach((i) => {
      issues.push(`${path.relative(ROOT, file)}:${i.line} ${i.text}`);
    });
  });
  expect(issues).toEqual([]);
});

test('tappable icons and images say what they do (aria-label)', () => {
  const offenders = [];
  pages().concat(components()).forEach((rel) => {
    const wxml = read(`${rel}.wxml`);
    for (const m of wxml.matchAll(/<(t-icon|image)\b[^>]*>/g)) {
      const tag = m[0];
      if (/\s(bind|catch):?(tap|click)=/.test(tag) && !/\saria-label=/.test(tag)) offenders.push(`${rel}: ${tag.slice(0, 60)}`);
    }
  });
  expect(offenders).toEqual([]);
});

test('subscribe prompts: templates loaded on page load, asked first thing in a tap handler', () => {
  const offenders = [];
  pages().forEach((rel) => {
    const js = read(`${rel}.js`);
    if (!/askFromTap\(/.test(js)) return;
    if (!/onLoad\([^)]*\)\s*\{[\s\S]*?prefetchTemplates\(\)/.test(js)) offenders.push(`${rel}: no prefetchTemplates() in onLoad`);
    // the handler that asks is synchronous and asks before any await or wx call
    for (const m of js.matchAll(/\n {4}(async )?(\w+)\(([^)]*)\) \{([\s\S]*?)\n {4}\},/g)) {
      const [, isAsync, name, , body] = m;
      const at = body.indexOf('askFromTap(');
      if (at < 0) continue;
      if (isAsync) offenders.push(`${rel}: ${name} is async`);
      const before = body.slice(0, at);
      if (/await |wx\.(?!showToast)\w+\(/.test(before.replace(/if \([^)]*\) \{[\s\S]*?return;\s*\}/g, ''))) {
        offenders.push(`${rel}: ${name} calls something before asking`);
      }
    }
  });
  expect(offenders).toEqual([]);
});

test('location: app.json declares exactly the location APIs the code calls', () => {
  const declared = app.requiredPrivateInfos || [];
  expect(declared).toContain('getLocation');
  // WeChat accepts getLocation or getFuzzyLocation, not both; "near me" follows what is declared.
  expect(declared.includes('getFuzzyLocation')).toBe(FUZZY_API === 'getFuzzyLocation');
  expect(app.permission['scope.userLocation'].desc).toMatch(/签到/);
});

test('TDesign comes from app.json: page and component JSONs name no npm path', () => {
  const offenders = [];
  pages().concat(components()).forEach((rel) => {
    const json = JSON.parse(read(`${rel}.json`) || '{}');
    Object.values(json.usingComponents || {}).forEach((value) => {
      if (!/^[./]/.test(value)) offenders.push(`${rel}: ${value}`);
    });
  });
  expect(offenders).toEqual([]);
  expect(app.style).toBeUndefined(); // "style": "v2" restyles TDesign's buttons and cells
});

test('release build: minified, tests and tools not uploaded, admin pages in the admin subpackage', () => {
  const project = JSON.parse(read('project.config.json'));
  expect(project.setting).toMatchObject({ minified: true, minifyWXML: true, minifyWXSS: true });
  const ignored = project.packOptions.ignore.map((i) => i.value);
  ['tests', 'tools', 'node_modules'].forEach((folder) => expect(ignored).toContain(folder));
  // Nothing under pages/ uses admin-only services.
  const adminOnly = fs.readdirSync(path.join(ROOT, 'subpackages/admin/services'));
  const offenders = [];
  app.pages.forEach((rel) => {
    adminOnly.forEach((svc) => {
      if (read(`${rel}.js`).includes(`services/${svc.replace(/\.js$/, '')}`)) offenders.push(`${rel}: ${svc}`);
    });
  });
  expect(offenders).toEqual([]);
});
