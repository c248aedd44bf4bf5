#!/usr/bin/env node
// 构建 npm, as WeChat DevTools does it (工具 → 构建 npm), so that a checkout works in DevTools,
// in jest and in the page renderer without opening DevTools first. Runs after `npm ci`
// (the `postinstall` script).
//
// DevTools' rule: for every package in package.json `dependencies` (and their own dependencies),
// a package that declares a `miniprogram` folder in its package.json has that folder copied to
// miniprogram_npm/<name>/ as it is; the result is resolved by the mini-program's `require` and
// `usingComponents` ("tdesign-miniprogram/button/button" → miniprogram_npm/tdesign-miniprogram/
// button/button). DevTools would bundle a plain package's `main` into miniprogram_npm/<name>/index.js;
// we have none and refuse one instead of guessing, so that what runs here is what DevTools builds.
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'miniprogram_npm');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function packageDir(name) {
  return path.join(ROOT, 'node_modules', name);
}

function build() {
  const own = readJson(path.join(ROOT, 'package.json'));
  const queue = Object.keys(own.dependencies || {});
  const seen = new Set();
  const built = [];
  fs.rmSync(OUT, { recursive: true, force: true });
  while (queue.length) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = packageDir(name);
    const pkgFile = path.join(dir, 'package.json');
    if (!fs.existsSync(pkgFile)) throw new Error(`${name} is not installed: run npm ci first`);
    const pkg = readJson(pkgFile);
    if (!pkg.miniprogram) {
      throw new Error(
        `${name} has no "miniprogram" build folder; DevTools would bundle its main file. `
        + 'Use a package built for mini-programs or extend tools/build-npm.js.',
      );
    }
    const src = path.join(dir, pkg.miniprogram);
    fs.cpSync(src, path.join(OUT, name), { recursive: true });
    built.push(`${name}@${pkg.version}`);
    Object.keys(pkg.dependencies || {}).forEach((dep) => queue.push(dep));
  }
  return built;
}

if (require.main === module) {
  const built = build();
  console.log(`miniprogram_npm: ${built.join(', ') || 'nothing to build'}`);
}

module.exports = { build };
