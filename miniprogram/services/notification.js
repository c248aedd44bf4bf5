const { get, post } = require('../utils/request');

// {page?, page_size?} → {items, total, page, page_size, unread?}
function list(query, options) {
  return get('/me/notifications', query, options);
}

function markRead(id, options) {
  return post(`/me/notifications/${id}/read`, {}, options);
}

module.exports = { list, markRead };
