const { get, post } = require('../utils/request');

// {real_name, phone, id_number, village_id, skills, availability, team_id?, intro?}
function apply(payload, options) {
  return post('/volunteers', payload, options);
}

// {status?, region_id?, q?, page?, page_size?} → {items, total, page, page_size}
function list(query, options) {
  return get('/volunteers', query, options);
}

function getVolunteer(id, options) {
  return get(`/volunteers/${id}`, undefined, options);
}

function approve(id, reason, options) {
  return post(`/volunteers/${id}/approve`, reason ? { reason } : {}, options);
}

function reject(id, reason, options) {
  return post(`/volunteers/${id}/reject`, { reason }, options);
}

function suspend(id, reason, options) {
  return post(`/volunteers/${id}/suspend`, { reason }, options);
}

// 志愿者证: a short-lived signed code for the e-card QR → {code, expires_at, …}
function myCard(options) {
  return get('/me/card', undefined, options);
}

module.exports = {
  myCard,
  apply,
  list,
  get: getVolunteer,
  approve,
  reject,
  suspend,
};
