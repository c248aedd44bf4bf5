// Static checks of the project files: every page listed exists with its four files,
// tab bar pages and icons are in place, and no machine path leaks into the sources.
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));

function allPages() {
  const pages = app.pages.slice();
  (app.subPackages || []).forEach((pkg) => pkg.pages.forEach((p) => pages.push(`${pkg.root}/${p}`)));
  return pages;
}

test('every page has .js, .json, .wxml and .wxss', () => {
  allPages().forEach((page) => {
    ['js', 'json', 'wxml', 'wxss'].forEach((ext) => {
      expect(fs.existsSync(path.join(ROOT, `${page}.${ext}`))).toBe(true);
    });
    JSON.parse(fs.readFileSync(path.join(ROOT, `${page}.json`), 'utf8'));
  });
});

test('tab bar: four tabs in the main package with real PNG icons', () => {
  const tabs = app.tabBar.list;
  expect(tabs.map((t) => t.text)).toEqual(['首页', '活动', '消息', '我的']);
  tabs.forEach((tab) => {
    expect(app.pages).toContain(tab.pagePath);
    [tab.iconPath, tab.selectedIconPath].forEach((icon) => {
      const buf = fs.readFileSync(path.join(ROOT, icon));
      expect(buf.slice(1, 4).toString()).toBe('PNG');
      expect(buf.length).toBeLessThan(40 * 1024);
    });
  });
  expect(app.subPackages[0].root).toBe('subpackages/admin');
});

test('only utils/request.js calls wx.request', () => {
  const offenders = [];
  const walk = (dir) => {
    fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
      if (['node_modules', 'miniprogram_npm', 'tests'].includes(entry.name)) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) {
        const src = fs.readFileSync(full, 'utf8');
        if (/wx\.request\(/.test(src) && !full.endsWith(path.join('utils', 'request.js'))) offenders.push(full);
        if (/(?<![\w/-])\/(work|home|Users|tmp)\//.test(src.replace(/https?:\/\/\S+/g, ''))) offenders.push(`${full} (machine path)`);
      }
    });
  };
  walk(ROOT);
  expect(offenders).toEqual([]);
});

test('every registered page is reachable: some other page or the admin hub links to it', () => {
  const { HOME_ENTRIES, ADMIN_SECTIONS, HUB_URL } = require('../../utils/entries');
  const links = new Set([HUB_URL.slice(1)]);
  HOME_ENTRIES.forEach((e) => links.add(e.url.slice(1)));
  ADMIN_SECTIONS.forEach((s) => s.entries.forEach((e) => links.add(e.url.slice(1))));
  // Links written in page code and templates (navigateTo urls, data-url attributes, constants
  // such as `${ADMIN}/donation/index`).
  const walk = (dir) => {
    fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
      if (['node_modules', 'miniprogram_npm', 'tests'].includes(entry.name)) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|wxml)$/.test(entry.name)) {
        const src = fs.readFileSync(full, 'utf8');
        const consts = {};
        (src.match(/const (\w+) = '(\/[\w/]+)'/g) || []).forEach((line) => {
          const [, name, value] = line.match(/const (\w+) = '(\/[\w/]+)'/);
          consts[name] = value;
        });
        const expanded = src.replace(/\$\{(\w+)\}/g, (m, name) => consts[name] || m);
        // `${ADMIN}/${page}/index` with `page` taken from data-page="…" in the page's template.
        const wxml = full.replace(/\.js$/, '.wxml');
        if (/\/\$\{page\}\/index/.test(expanded) && fs.existsSync(wxml)) {
          const pages = (fs.readFileSync(wxml, 'utf8').match(/data-page="(\w+)"/g) || []).map((a) => a.slice(11, -1));
          (expanded.match(/\/([\w/]+)\/\$\{page\}\/index/g) || []).forEach((tpl) => {
            pages.forEach((page) => links.add(tpl.slice(1).replace('${page}', page)));
          });
        }
        (expanded.match(/(?:subpackages\/\w+\/)?pages\/[\w/-]+?\/index/g) || []).forEach((p) => links.add(p));
      }
    });
  };
  walk(ROOT);
  const tabs = app.tabBar.list.map((t) => t.pagePath);
  // Opened from outside the app: the console's login code (scene = ticket, CONSOLE_LOGIN_PAGE).
  const external = ['subpackages/admin/pages/console-login/index'];
  const orphans = allPages().filter((page) => !tabs.includes(page) && !links.has(page) && !external.includes(page));
  expect(orphans).toEqual([]);
});
