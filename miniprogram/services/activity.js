// Activities (活动开展): list, detail, enrollment, on-site check-in/out, my hours, and the
// organiser's drafting, roster, check-in code and corrections. Every call goes through
// utils/request.js; the roster export is a file download (wx.downloadFile) with the same token.
const { get, post, patch, del } = require('../utils/request');
const { getApiBase } = require('../config/env');
const storage = require('../utils/storage');

// {page?, page_size?, category?, region_id?, date_from?, date_to?, when?, open?,
//  latitude?, longitude?, radius_km?, sort?, q?, manage?, status?} → {items, total, page, page_size}
function list(query, options) {
  return get('/activities', query, options);
}

function getActivity(id, options) {
  return get(`/activities/${id}`, undefined, options);
}

// Organiser: draft, edit and the lifecycle.
function create(payload, options) {
  return post('/activities', payload, options);
}

function update(id, payload, options) {
  return patch(`/activities/${id}`, payload, options);
}

function publish(id, options) {
  return post(`/activities/${id}/publish`, {}, options);
}

function cancel(id, reason, options) {
  return post(`/activities/${id}/cancel`, { reason }, options);
}

function complete(id, options) {
  return post(`/activities/${id}/complete`, {}, options);
}

// Volunteer: enrollment.
function enroll(id, options) {
  return post(`/activities/${id}/enrollments`, {}, options);
}

function cancelEnrollment(id, options) {
  return del(`/activities/${id}/enrollments/me`, undefined, options);
}

// On site: {code, latitude, longitude, accuracy?}.
function checkIn(id, payload, options) {
  return post(`/activities/${id}/checkins`, payload, options);
}

function checkOut(id, payload, options) {
  return post(`/activities/${id}/checkouts`, payload, options);
}

// Organiser: roster and on-site tools.
function roster(id, query, options) {
  return get(`/activities/${id}/enrollments`, query, options);
}

function removeEnrollment(id, enrollmentId, reason, options) {
  return post(`/activities/${id}/enrollments/${enrollmentId}/remove`, { reason }, options);
}

function withTime(reason, at) {
  return at ? { reason, at } : { reason };
}

function manualCheckIn(id, enrollmentId, reason, at, options) {
  return post(`/activities/${id}/enrollments/${enrollmentId}/checkin`, withTime(reason, at), options);
}

function manualCheckOut(id, enrollmentId, reason, at, options) {
  return post(`/activities/${id}/enrollments/${enrollmentId}/checkout`, withTime(reason, at), options);
}

// purpose: 'checkin' | 'checkout' → {code, scene, image, expires_at, valid_until, window_seconds}
function checkinCode(id, purpose, options) {
  return get(`/activities/${id}/checkin-code`, { purpose: purpose || 'checkin' }, options);
}

function correctHours(attendanceId, servedMinutes, reason, options) {
  return patch(`/attendances/${attendanceId}`, { served_minutes: servedMinutes, reason }, options);
}

// Mine.
function myActivities(query, options) {
  return get('/me/activities', query, options);
}

function myHours(query, options) {
  return get('/me/hours', query, options);
}

// Roster as csv/xlsx: downloaded with the session token and opened with the system viewer.
function exportRoster(id, format) {
  const fmt = format === 'csv' ? 'csv' : 'xlsx';
  const token = storage.get(storage.TOKEN_KEY) || '';
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: `${getApiBase()}/activities/${id}/enrollments?format=${fmt}`,
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

// The organiser scans a volunteer's e-card: checks that volunteer in, or out if already in.
function cardCheckin(id, cardCode, options) {
  return post(`/activities/${id}/card-checkins`, { card_code: cardCode }, options);
}

module.exports = {
  cardCheckin,
  list,
  get: getActivity,
  create,
  update,
  publish,
  cancel,
  complete,
  enroll,
  cancelEnrollment,
  checkIn,
  checkOut,
  roster,
  removeEnrollment,
  manualCheckIn,
  manualCheckOut,
  checkinCode,
  correctHours,
  myActivities,
  myHours,
  exportRoster,
};
