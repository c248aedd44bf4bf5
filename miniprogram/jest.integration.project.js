// The integration flow as a jest project: plain Node, real HTTP to MP_API_BASE.
module.exports = {
  displayName: 'integration',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/tests/integration'],
  testMatch: ['**/*.test.js'],
};
