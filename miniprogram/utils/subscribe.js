// Ask for subscribe-message permission at natural moments (after enrolling, after submitting a
// request, after applying as a volunteer) and report the answers to the server.
//
// askSubscribe(kinds) → Promise<{accepted: [kind…]}>. It never rejects: a refused or failed
// prompt only means the notices stay in the in-app inbox (消息).
// Template ids come from GET /notification-templates ({items: [{kind, template_id}]}), so they
// are configured once, on the server. WeChat answers per template id: 'accept' | 'reject' |
// 'ban' | 'filter'; the raw answer is POSTed to /me/subscriptions as {results: {tmplId: answer}}.
const { get, post } = require('./request');

let templatesPromise = null;

function loadTemplates() {
  if (!templatesPromise) {
    templatesPromise = get('/notification-templates', {}, { silent: true, auth: false })
      .then((body) => {
        const map = {};
        ((body && body.items) || []).forEach((item) => {
          if (item.template_id) map[item.kind] = item.template_id;
        });
        return map;
      })
      .catch(() => {
        templatesPromise = null; // try again next time
        return {};
      });
  }
  return templatesPromise;
}

function requestSubscribeMessage(tmplIds) {
  return new Promise((resolve) => {
    if (typeof wx.requestSubscribeMessage !== 'function') {
      resolve({});
      return;
    }
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => resolve(res || {}),
      fail: () => resolve({}),
    });
  });
}

async function askSubscribe(kinds) {
  const templates = await loadTemplates();
  // WeChat shows at most 3 templates in one prompt.
  const wanted = (kinds || []).filter((kind) => templates[kind]).slice(0, 3);
  if (!wanted.length) return { accepted: [] };
  const answers = await requestSubscribeMessage(wanted.map((kind) => templates[kind]));
  const results = {};
  wanted.forEach((kind) => {
    const answer = answers[templates[kind]];
    if (answer) results[templates[kind]] = answer;
  });
  const accepted = wanted.filter((kind) => answers[templates[kind]] === 'accept');
  if (Object.keys(results).length) {
    try {
      await post('/me/subscriptions', { results }, { silent: true });
    } catch (e) {
      // The inbox still receives every notice; nothing else to do.
    }
  }
  return { accepted };
}

function resetTemplateCache() {
  templatesPromise = null;
}

// Load the template ids early (on page load), so that the prompt after a tap opens at once:
// WeChat only shows it while the user's tap is still fresh.
function prefetchTemplates() {
  return loadTemplates();
}

module.exports = { askSubscribe, prefetchTemplates, resetTemplateCache };
