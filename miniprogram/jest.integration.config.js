// `npm run test:integration` — the flow against a live API:
//   MP_API_BASE=http://127.0.0.1:5055/api/v1 MP_ADMIN_CODE=demo-village-admin npm run test:integration
if (!process.env.MP_API_BASE) {
  throw new Error('MP_API_BASE is not set: point it at a running API, e.g. http://127.0.0.1:5055/api/v1');
}

module.exports = {
  projects: [require('./jest.integration.project')],
  testTimeout: 60000,
};
