const { get } = require('../utils/request');

// {page?, page_size?, category?, region_id?} → {items, total, page, page_size}
function list(query, options) {
  return get('/activities', query, options);
}

function getActivity(id, options) {
  return get(`/activities/${id}`, undefined, options);
}

module.exports = { list, get: getActivity };
