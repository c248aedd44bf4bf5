#!/usr/bin/env node
// Full-width punctuation in Chinese text (，：；？！（）), as Chinese typography wants it.
// An ASCII , : ; ? ! next to a Chinese character, or ( ) around text containing one, is an
// issue. `node tools/punctuation.js --fix` rewrites the sources; tests/unit/design.test.js fails
// on any issue left. Numbers and code keep ASCII ("18:50", "1/12", "a ? b : c").
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef';
const FULL = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
const SINGLE = new RegExp(`(?<=[${CJK}])[,:;?!]|[,:;?!](?=[${CJK}])`, 'g');
const PAIR = new RegExp(`\\(([^()\\n]*[${CJK}][^()\\n]*)\\)`, 'g');
const SKIP = new Set(['node_modules', 'miniprogram_npm', '.git']);

function fixChinese(text) {
  return text.replace(PAIR, (m, inner) => `（${inner}）`).replace(SINGLE, (c) => FULL[c]);
}

// Applies fn to the contents of the string literals of JS code; comments (English prose that
// names Chinese terms in ASCII parentheses) and code are left alone.
function inJsStrings(src, fn) {
  let out = '';
  let i = 0;
  const templates = []; // brace depth inside each ${ … } of a template literal
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? src.length : e;
      out += src.slice(i, end);
      i = end;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i) + 2;
      out += src.slice(i, end);
      i = end;
    } else if (c === "'" || c === '"' || c === '`' || (c === '}' && templates.length && templates[templates.length - 1] === 0)) {
      const quote = c === '}' ? '`' : c;
      if (c === '}') templates.pop();
      let j = i + 1;
      let body = '';
      let closed = false;
      while (j < src.length) {
        if (src[j] === '\\') {
          body += src.slice(j, j + 2);
          j += 2;
        } else if (quote === '`' && src[j] === '$' && src[j + 1] === '{') {
          templates.push(0);
          break;
        } else if (src[j] === quote) {
          closed = true;
          break;
        } else {
          body += src[j];
          j += 1;
        }
      }
      out += c + fn(body) + (closed ? quote : (j < src.length ? '${' : ''));
      i = closed ? j + 1 : j + 2;
    } else {
      if (templates.length && c === '{') templates[templates.length - 1] += 1;
      if (templates.length && c === '}') templates[templates.length - 1] -= 1;
      out += c;
      i += 1;
    }
  }
  return out;
}

// WXML: text and attribute values, and the string literals inside {{ }}.
function inWxml(src, fn) {
  return src.split(/(\{\{[\s\S]*?\}\}|<!--[\s\S]*?-->)/).map((part) => {
    if (part.startsWith('<!--')) return part;
    if (part.startsWith('{{')) return `{{${inJsStrings(part.slice(2, -2), fn)}}}`;
    return fn(part);
  }).join('');
}

function fixText(text, kind) {
  if (kind === 'wxml') return inWxml(text, fixChinese);
  if (kind === 'json') return text.replace(/"((?:[^"\\]|\\.)*)"/g, (m, body) => `"${fixChinese(body)}"`);
  return inJsStrings(text, fixChinese);
}

function kindOf(file) {
  return path.extname(file).slice(1);
}

function issuesIn(text, kind) {
  const fixed = fixText(text, kind).split('\n');
  return text.split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim().slice(0, 80), changed: fixed[i] !== line }))
    .filter((l) => l.changed)
    .map(({ line, text: t }) => ({ line, text: t }));
}

function sourceFiles(dirs) {
  const out = [];
  const walk = (dir) => {
    fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
      if (SKIP.has(entry.name)) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|wxml|json)$/.test(entry.name) && !/package(-lock)?\.json$/.test(entry.name)) out.push(full);
    });
  };
  dirs.forEach((d) => walk(path.join(ROOT, d)));
  return out;
}

const APP_DIRS = ['pages', 'subpackages', 'components', 'utils', 'services', 'behaviors', 'config'];

if (require.main === module) {
  const fix = process.argv.includes('--fix');
  const dirs = process.argv.includes('--tests') ? APP_DIRS.concat(['tests']) : APP_DIRS;
  let count = 0;
  sourceFiles(dirs).concat([path.join(ROOT, 'app.js'), path.join(ROOT, 'app.json')]).forEach((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const issues = issuesIn(text, kindOf(file));
    if (!issues.length) return;
    count += issues.length;
    if (fix) fs.writeFileSync(file, fixText(text, kindOf(file)));
    else issues.forEach((i) => console.log(`${path.relative(ROOT, file)}:${i.line}: ${i.text}`));
  });
  console.log(`${count} line(s) with half-width punctuation in Chinese text${fix ? ' fixed' : ''}`);
}

module.exports = { fixText, issuesIn, sourceFiles, kindOf, APP_DIRS };
