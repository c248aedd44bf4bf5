const { VOLUNTEER_STATUS, ROLE_LABELS } = require('./constants');

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// Parts of an ISO time as seen in Asia/Shanghai, whatever the phone's time zone.
function shanghaiParts(iso) {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

function formatDateTime(iso) {
  const p = shanghaiParts(iso);
  if (!p) return '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

// "03-08 09:00 至 11:30" on one day, full end otherwise.
function formatTimeRange(startIso, endIso) {
  const s = shanghaiParts(startIso);
  const e = shanghaiParts(endIso);
  if (!s) return '';
  const start = `${pad(s.month)}-${pad(s.day)} ${pad(s.hour)}:${pad(s.minute)}`;
  if (!e) return start;
  const sameDay = s.year === e.year && s.month === e.month && s.day === e.day;
  const end = sameDay
    ? `${pad(e.hour)}:${pad(e.minute)}`
    : `${pad(e.month)}-${pad(e.day)} ${pad(e.hour)}:${pad(e.minute)}`;
  return `${start} 至 ${end}`;
}

// 13812345678 → 138****5678; already-masked values pass through.
function maskPhone(phone) {
  if (!phone) return '';
  const s = String(phone);
  if (s.includes('*')) return s;
  if (s.length < 7) return s;
  return `${s.slice(0, 3)}****${s.slice(-4)}`;
}

function volunteerStatusLabel(status) {
  return VOLUNTEER_STATUS[status] || '';
}

function roleLabel(role) {
  if (!role) return '';
  const label = ROLE_LABELS[role.role] || role.role;
  return role.region_name ? `${role.region_name}${label}` : label;
}

module.exports = {
  formatDateTime,
  formatTimeRange,
  maskPhone,
  volunteerStatusLabel,
  roleLabel,
};
