// Funds (经费筹措): the public ledger, donations, expenses and their approval.
const { get, post } = require('../utils/request');
const { getApiBase } = require('../config/env');
const storage = require('../utils/storage');

// {region_id?, status?, q?, page?, page_size?} → {items, total, page, page_size}
function list(query, options) {
  return get('/funds', query, options);
}

function getFund(id, options) {
  return get(`/funds/${id}`, undefined, options);
}

// {kind?, month?, page?, page_size?} → public ledger page (donors masked for non-admins)
function entries(id, query, options) {
  return get(`/funds/${id}/entries`, query, options);
}

// month "YYYY-MM" (default: this month) → monthly statement (公示)
function statement(id, month, options) {
  return get(`/funds/${id}/statements`, month ? { month } : undefined, options);
}

// A key per form: a retry of the same submission (network trouble) is recorded once.
function newIdempotencyKey() {
  const rand = Math.random().toString(36).slice(2, 10);
  return `mp-${Date.now().toString(36)}-${rand}`;
}

function withKey(key, options) {
  const header = Object.assign({}, (options && options.header) || {});
  if (key) header['Idempotency-Key'] = key;
  return Object.assign({}, options, { header });
}

// {amount_fen, donor_name, donor_type, anonymous, channel, receipt_no, donated_on, note,
//  in_kind, item_description}
function recordDonation(fundId, payload, idempotencyKey, options) {
  return post(`/funds/${fundId}/donations`, payload, withKey(idempotencyKey, options));
}

// {amount_fen, category, purpose, payee, payee_type, note, attachments, draft}
function submitExpense(fundId, payload, idempotencyKey, options) {
  return post(`/funds/${fundId}/expenses`, payload, withKey(idempotencyKey, options));
}

// {status?, fund_id?, mine?, actionable?, page?, page_size?}
function listExpenses(query, options) {
  return get('/expenses', query, options);
}

function getExpense(id, options) {
  return get(`/expenses/${id}`, undefined, options);
}

function submitDraft(id, options) {
  return post(`/expenses/${id}/submit`, {}, options);
}

function approveExpense(id, note, options) {
  return post(`/expenses/${id}/approve`, note ? { note } : {}, options);
}

function rejectExpense(id, reason, options) {
  return post(`/expenses/${id}/reject`, { reason }, options);
}

function payExpense(id, payment, options) {
  const body = {};
  if (payment && payment.reference) body.reference = payment.reference;
  if (payment && payment.note) body.note = payment.note;
  return post(`/expenses/${id}/pay`, body, options);
}

function cancelExpense(id, reason, options) {
  return post(`/expenses/${id}/cancel`, reason ? { reason } : {}, options);
}

function reverseEntry(entryId, reason, options) {
  return post(`/fund-entries/${entryId}/reverse`, { reason }, options);
}

// Upload one receipt photo; resolves with its URL ("/api/v1/uploads/<key>").
function uploadReceipt(filePath) {
  const token = storage.get(storage.TOKEN_KEY) || '';
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: `${getApiBase()}/uploads`,
      filePath,
      name: 'file',
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => {
        let body = res.data;
        try {
          body = typeof body === 'string' ? JSON.parse(body) : body;
        } catch (e) {
          body = null;
        }
        if (res.statusCode >= 200 && res.statusCode < 300 && body && body.url) resolve(body.url);
        else reject({ code: (body && body.code) || 'upload_failed', message: (body && body.message) || '图片上传失败，请重试' });
      },
      fail: () => reject({ code: 'network_error', message: '网络异常，图片上传失败' }),
    });
  });
}

// "/api/v1/uploads/<key>" → an absolute URL an <image> can show.
function fileUrl(url) {
  if (!url || /^https?:\/\//i.test(url)) return url;
  return getApiBase().replace(/\/api\/v1\/?$/, '') + url;
}

module.exports = {
  list,
  fileUrl,
  get: getFund,
  entries,
  statement,
  newIdempotencyKey,
  recordDonation,
  submitExpense,
  listExpenses,
  getExpense,
  submitDraft,
  approveExpense,
  rejectExpense,
  payExpense,
  cancelExpense,
  reverseEntry,
  uploadReceipt,
};
