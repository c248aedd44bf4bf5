// `npm run test:integration` — the flows and the page renderer against a live API:
//   MP_API_BASE=http://127.0.0.1:5055/api/v1 MP_ADMIN_CODE=demo-village-admin npm run test:integration
// `npm run test:render` runs the renderer alone.
if (!process.env.MP_API_BASE) {
  throw new Error('MP_API_BASE is not set: point it at a running API, e.g. http://127.0.0.1:5055/api/v1');
}

const only = process.env.MP_JEST_PROJECT; // 'integration' | 'render'
const projects = [require('./jest.integration.project'), require('./jest.render.project')]
  .filter((p) => !only || p.displayName === only);

module.exports = {
  projects,
  testTimeout: 60000,
};
