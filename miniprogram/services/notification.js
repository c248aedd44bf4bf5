const { get, post } = require('../utils/request');

// {page?, page_size?, unread?, kind?} → {items, total, page, page_size, unread_count}
// item: {id, kind, title, body, content, fields, page, is_read, read_at, created_at}
function list(query, options) {
  return get('/me/notifications', query, options);
}

// → {unread_count}
function unreadCount(options) {
  return get('/me/notifications/unread-count', undefined, options);
}

function markRead(id, options) {
  return post(`/me/notifications/${id}/read`, {}, options);
}

// → {updated, unread_count}
function markAllRead(options) {
  return post('/me/notifications/read-all', {}, options);
}

// → {items: [{kind, template_id, remaining, last_result}]}
function subscriptions(options) {
  return get('/me/subscriptions', undefined, options);
}

module.exports = { list, unreadCount, markRead, markAllRead, subscriptions };
