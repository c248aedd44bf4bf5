const { get, post } = require('../utils/request');

// → {items: [{category, name, anonymous_allowed, deadlines}], urgencies, emergency_notice}
function categories(options) {
  return get('/service-requests/categories', undefined, Object.assign({ auth: false }, options));
}

// {category, description, urgency, region_id, latitude?, longitude?, address?, photos?,
//  contact_method?, contact_phone?, anonymous?} → the request (with emergency_notice)
function submit(payload, options) {
  return post('/service-requests', payload, options);
}

// {scope?: all|mine|assigned, status?, tier?, category?, urgency?, overdue?, held?,
//  unassigned?, region_id?, order?: newest|due, page?, page_size?} → {items, total, page, page_size}
function list(query, options) {
  return get('/service-requests', query, options);
}

function getRequest(id, options) {
  return get(`/service-requests/${id}`, undefined, options);
}

// Handlers who may be assigned, best suited first → {items: [...]}
function candidates(id, options) {
  return get(`/service-requests/${id}/candidates`, undefined, options);
}

// action: assign|claim|accept|resolve|reject|escalate|release|cancel|reopen|rating|notes
function act(id, action, payload, options) {
  return post(`/service-requests/${id}/${action}`, payload || {}, options);
}

function assign(id, assigneeId, note, options) {
  return act(id, 'assign', { assignee_id: assigneeId, note: note || '' }, options);
}

function rate(id, score, comment, options) {
  return act(id, 'rating', { score, comment: comment || '' }, options);
}

module.exports = { categories, submit, list, get: getRequest, candidates, act, assign, rate };
