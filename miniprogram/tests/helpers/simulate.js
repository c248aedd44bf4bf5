const path = require('path');
const simulate = require('miniprogram-simulate');

const ROOT = path.resolve(__dirname, '../..');

// Load a page/component by its path from the mini-program root, e.g. 'pages/home/index'.
function load(relPath) {
  return simulate.load(path.join(ROOT, relPath), { compiler: 'simulate', rootPath: ROOT });
}

// Render and attach so that selectors and events work like in a page.
function render(id, props) {
  const comp = simulate.render(id, props);
  const parent = document.createElement('parent-wrapper');
  comp.attach(parent);
  return comp;
}

// Let promise chains started by handlers run to completion.
async function flush(times = 5) {
  for (let i = 0; i < times; i += 1) {
    // eslint-disable-next-line no-await-in-loop
    await simulate.sleep(0);
  }
}

module.exports = { simulate, load, render, flush, ROOT };
