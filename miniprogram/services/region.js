const { get } = require('../utils/request');

// Largest page the API allows for regions; a county fits in one page.
const MAX_PAGE_SIZE = 500;

// {level?, parent_id?, page?, page_size?} → {items, total, page, page_size}
function list(query, options) {
  return get('/regions', query, options);
}

function getRegion(id, options) {
  return get(`/regions/${id}`, undefined, options);
}

function listTownships(options) {
  return list({ level: 'township', page_size: MAX_PAGE_SIZE }, options).then((res) => res.items || []);
}

function listVillages(townshipId, options) {
  return list({ level: 'village', parent_id: townshipId, page_size: MAX_PAGE_SIZE }, options)
    .then((res) => res.items || []);
}

module.exports = {
  MAX_PAGE_SIZE,
  list,
  getRegion,
  listTownships,
  listVillages,
};
