const { get, post } = require('../utils/request');

// {region_id?, page?, page_size?} → {items, total, page, page_size}
function list(query, options) {
  return get('/teams', query, options);
}

// {name, region_id, description}
function create(payload, options) {
  return post('/teams', payload, options);
}

module.exports = { list, create };
