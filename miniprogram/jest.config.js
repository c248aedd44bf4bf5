// `npm test`: the unit project (jsdom + miniprogram-simulate, wx.* stubbed).
// The integration flow needs a live API; it joins as a second project only when
// MP_API_BASE is set (`npm run test:integration` runs it alone).
const shared = require('./jest.shared');

const unit = Object.assign({}, shared, {
  displayName: 'unit',
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/unit'],
  testMatch: ['**/*.test.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/setup.js'],
  clearMocks: true,
});

const integration = require('./jest.integration.project');

module.exports = {
  projects: process.env.MP_API_BASE ? [unit, integration] : [unit],
  testTimeout: 10000,
};
