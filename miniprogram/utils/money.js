// Money is integer fen (分) on the wire. Parse what people type in yuan without ever going
// through a float: "12.3" → 1230, "0.07" → 7; anything else (negative, 3 decimals, text) → null.
const MAX_FEN = 10000000000; // 1 亿元, the API's limit for one entry

function parseYuan(input) {
  const text = String(input === undefined || input === null ? '' : input).trim();
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'));
  if (fen <= 0 || fen > MAX_FEN) return null;
  return fen;
}

// 123456 → "1,234.56"; negative amounts keep their sign.
function formatYuan(fen) {
  if (fen === undefined || fen === null || Number.isNaN(Number(fen))) return '';
  const n = Number(fen);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${whole}.${cents}`;
}

// "+1,000.00" / "-50.00" for a ledger line's effect on the balance.
function formatSigned(fen) {
  const n = Number(fen) || 0;
  return n > 0 ? `+${formatYuan(n)}` : formatYuan(n);
}

module.exports = { MAX_FEN, parseYuan, formatYuan, formatSigned };
