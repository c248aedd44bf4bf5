// The page renderer as a jest project: the real pages (jsdom + miniprogram-simulate) against a
// live demo API, screenshotted in Chromium (tools/render/shoot.js). Needs MP_API_BASE.
const shared = require('./jest.shared');

module.exports = Object.assign({}, shared, {
  displayName: 'render',
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/render'],
  testMatch: ['**/*.test.js'],
});
