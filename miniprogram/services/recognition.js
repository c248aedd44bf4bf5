// Points, leaderboards, honours, certificates and bulletins (绩效考核 · 表彰激励).
const { get, post, patch } = require('../utils/request');
const { getApiBase } = require('../config/env');
const storage = require('../utils/storage');

// {page?, page_size?, source_type?} → {balance, earned, totals, items, total, ...}
function myPoints(query, options) {
  return get('/me/points', query, options);
}

// {region_id?, period, date?, page?, page_size?} → {region, items, me, total, ...}
function leaderboard(query, options) {
  return get('/leaderboards', query, options);
}

function myCertificates(query, options) {
  return get('/me/certificates', query, options);
}

function verifyCertificate(number, options) {
  return get(`/certificates/${encodeURIComponent(number)}`, undefined, options);
}

// Ask for my service-hour certificate (志愿服务记录证明): 201 new, 200 hours unchanged.
function requestServiceHoursCertificate(options) {
  return post('/me/certificates', { kind: 'service_hours' }, options);
}

// Admins: {type: volunteer|grid_worker|village, period, date?, region_id?, page?, page_size?}
function scorecards(query, options) {
  return get('/scorecards', query, options);
}

// Absolute URL of a scorecard export (downloaded with the token).
function scorecardExportUrl(query, format) {
  const params = Object.assign({}, query, { format });
  delete params.page;
  delete params.page_size;
  const text = Object.keys(params)
    .filter((k) => params[k] !== undefined && params[k] !== null && params[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k])}`)
    .join('&');
  return `${getApiBase()}/scorecards?${text}`;
}

// Scorecards as xlsx (or csv), opened with the system viewer.
function exportScorecards(query, format) {
  const fmt = format === 'csv' ? 'csv' : 'xlsx';
  const token = storage.get(storage.TOKEN_KEY) || '';
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: scorecardExportUrl(query, fmt),
      header: { Authorization: `Bearer ${token}` },
      success: (res) => {
        if (res.statusCode !== 200) {
          reject({ code: `http_${res.statusCode}`, message: '导出失败，请稍后重试', statusCode: res.statusCode });
          return;
        }
        wx.openDocument({
          filePath: res.tempFilePath,
          fileType: fmt,
          showMenu: true,
          success: () => resolve(res.tempFilePath),
          fail: () => resolve(res.tempFilePath),
        });
      },
      fail: () => reject({ code: 'network_error', message: '网络异常，请稍后重试', statusCode: 0 }),
    });
  });
}

// Absolute URL of a certificate PDF (for wx.downloadFile).
function certificatePdfUrl(number) {
  const base = getApiBase().replace(/\/api\/v1$/, '');
  return `${base}/api/v1/certificates/${encodeURIComponent(number)}/pdf`;
}

// Honour roll: {tier?, target_kind?, region_id?, year?, page?, page_size?}
function honours(query, options) {
  return get('/awards', query, options);
}

function revokeAward(id, reason, options) {
  return post(`/awards/${id}/revoke`, { reason }, options);
}

function bulletins(query, options) {
  return get('/bulletins', query, options);
}

function bulletin(id, options) {
  return get(`/bulletins/${id}`, undefined, options);
}

function awardTypes(query, options) {
  return get('/award-types', query, options);
}

function createAwardType(payload, options) {
  return post('/award-types', payload, options);
}

function updateAwardType(id, payload, options) {
  return patch(`/award-types/${id}`, payload, options);
}

// {award_type_id, target_id, reason, period_label?}
function nominate(payload, options) {
  return post('/nominations', payload, options);
}

// {status?, actionable?, page?, page_size?}
function nominations(query, options) {
  return get('/nominations', query, options);
}

// Approving creates an award: a retry with the same key never grants twice.
function approveNomination(id, reason, idempotencyKey, options) {
  return post(
    `/nominations/${id}/approve`,
    reason ? { reason } : {},
    Object.assign({ header: { 'Idempotency-Key': idempotencyKey } }, options),
  );
}

function rejectNomination(id, reason, options) {
  return post(`/nominations/${id}/reject`, { reason }, options);
}

// {user_id, amount, reason}; the key is required by the API (one adjustment per key).
function adjustPoints(payload, idempotencyKey, options) {
  return post(
    '/points/adjustments',
    payload,
    Object.assign({ header: { 'Idempotency-Key': idempotencyKey } }, options),
  );
}

function adjustments(query, options) {
  return get('/points/adjustments', query, options);
}

// A fresh key per user action (kept by the page across retries of that action).
function newIdempotencyKey(prefix) {
  const random = Math.random().toString(36).slice(2, 10);
  return `${prefix || 'mp'}-${Date.now().toString(36)}-${random}`;
}

module.exports = {
  myPoints,
  leaderboard,
  myCertificates,
  requestServiceHoursCertificate,
  scorecards,
  scorecardExportUrl,
  exportScorecards,
  verifyCertificate,
  certificatePdfUrl,
  honours,
  revokeAward,
  bulletins,
  bulletin,
  awardTypes,
  createAwardType,
  updateAwardType,
  nominate,
  nominations,
  approveNomination,
  rejectNomination,
  adjustPoints,
  adjustments,
  newIdempotencyKey,
};
