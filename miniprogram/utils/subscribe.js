// Subscribe messages (订阅消息), asked for at the natural moment: the tap that enrolls, submits a
// request or applies as a volunteer.
//
// WeChat only opens the prompt while the user's tap is being handled: after an `await`, a
// network round trip or a timer, wx.requestSubscribeMessage fails ("can only be invoked by user
// TAP gesture") and no message could ever be sent. So:
//  1. the page loads the template ids when it loads: `prefetchTemplates()` in onLoad;
//  2. the tap handler calls `askFromTap(kinds)` as its FIRST call, synchronously, then does its
//     work once the prompt has closed: `askFromTap(kinds).then(() => this.submit())`.
// The prompt never blocks the action: a declined prompt is reported to the server (POST
// /me/subscriptions {results: {tmplId: 'reject'}}); a failed one (templates not loaded yet, the
// user switched subscribe messages off, an old base library) is recorded on the device
// (`lastSubscribeOutcome()`), and the notices still reach the in-app inbox (消息).
const { get, post } = require('./request');
const storage = require('./storage');

const OUTCOME_KEY = 'subscribe_outcome';
const MAX_TEMPLATES = 3; // WeChat shows at most 3 templates in one prompt

let templates = null; // {kind: template_id} once loaded
let templatesPromise = null;

function loadTemplates() {
  if (templates) return Promise.resolve(templates);
  if (!templatesPromise) {
    templatesPromise = get('/notification-templates', {}, { silent: true, auth: false })
      .then((body) => {
        const map = {};
        ((body && body.items) || []).forEach((item) => {
          if (item.template_id) map[item.kind] = item.template_id;
        });
        templates = map;
        return map;
      })
      .catch(() => {
        templatesPromise = null; // try again next time
        return {};
      });
  }
  return templatesPromise;
}

// Call from onLoad of every page whose tap will ask.
function prefetchTemplates() {
  return loadTemplates();
}

function record(outcome) {
  storage.set(OUTCOME_KEY, Object.assign({ at: new Date().toISOString() }, outcome));
}

function lastSubscribeOutcome() {
  return storage.get(OUTCOME_KEY) || null;
}

function report(results) {
  if (!Object.keys(results).length) return Promise.resolve();
  return post('/me/subscriptions', { results }, { silent: true }).catch(() => {
    // The inbox still receives every notice; nothing else to do.
  });
}

// Ask for `kinds` NOW. Must be the first call of a tap handler: it calls
// wx.requestSubscribeMessage synchronously. Resolves (never rejects) with {accepted: [kind…]}
// once the prompt has closed and the answers have been reported.
function askFromTap(kinds) {
  const map = templates || {};
  const wanted = (kinds || []).filter((kind) => map[kind]).slice(0, MAX_TEMPLATES);
  if (!wanted.length) {
    record({ kinds: kinds || [], result: templates ? 'no_template' : 'not_loaded' });
    if (!templates) loadTemplates(); // ready for the next tap
    return Promise.resolve({ accepted: [] });
  }
  if (typeof wx.requestSubscribeMessage !== 'function') {
    record({ kinds: wanted, result: 'unsupported' });
    return Promise.resolve({ accepted: [] });
  }
  const tmplIds = wanted.map((kind) => map[kind]);
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => {
        const results = {};
        wanted.forEach((kind) => {
          const answer = res && res[map[kind]];
          if (answer) results[map[kind]] = answer;
        });
        const accepted = wanted.filter((kind) => results[map[kind]] === 'accept');
        record({ kinds: wanted, result: accepted.length === wanted.length ? 'accept' : 'partial', accepted });
        report(results).then(() => resolve({ accepted }));
      },
      fail: (err) => {
        record({ kinds: wanted, result: 'fail', errCode: err && err.errCode, errMsg: (err && err.errMsg) || '' });
        resolve({ accepted: [] });
      },
    });
  });
}

function resetTemplateCache() {
  templates = null;
  templatesPromise = null;
}

module.exports = { askFromTap, prefetchTemplates, lastSubscribeOutcome, resetTemplateCache };
