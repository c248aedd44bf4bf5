// Client-side checks; the server validates again and is the authority.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

// Check character of the first 17 digits of a resident ID number (GB 11643).
function idCheckChar(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    sum += Number(first17[i]) * ID_WEIGHTS[i];
  }
  return ID_CHECK_CHARS[sum % 11];
}

function isValidDate(yyyymmdd) {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

// 18-digit resident ID number: format, birth date and check digit.
function isValidIdNumber(value) {
  if (typeof value !== 'string') return false;
  const id = value.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (!isValidDate(id.slice(6, 14))) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
}

// Mainland mobile number, 11 digits starting with 1[3-9].
function isValidPhone(value) {
  return typeof value === 'string' && /^1[3-9]\d{9}$/.test(value.trim());
}

function isValidRealName(value) {
  if (typeof value !== 'string') return false;
  const name = value.trim();
  return name.length >= 2 && name.length <= 20;
}

module.exports = {
  idCheckChar,
  isValidIdNumber,
  isValidPhone,
  isValidRealName,
};
