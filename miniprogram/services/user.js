const { get, patch, del, post } = require('../utils/request');
const authService = require('./auth');

function getMe(options) {
  return get('/me', undefined, options);
}

// {nickname?, avatar_url?}
function updateMe(payload, options) {
  return patch('/me', payload, options);
}

// Erases personal data; the server answers 204.
function deleteMe(options) {
  return del('/me', undefined, options);
}

function acceptConsent(version, options) {
  return post('/me/consents', { version }, options);
}

function bindPhone(code, options) {
  return authService.bindPhone(code, options);
}

module.exports = {
  getMe,
  updateMe,
  deleteMe,
  acceptConsent,
  bindPhone,
};
