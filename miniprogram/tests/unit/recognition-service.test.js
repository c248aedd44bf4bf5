const recognition = require('../../services/recognition');

beforeEach(() => {
  wx.__store.set('sa_token', 'tok');
});

test('approvals and adjustments send the Idempotency-Key header', async () => {
  const seen = [];
  wx.__setRequestHandler((options) => {
    seen.push(options);
    return { statusCode: 200, data: { ok: true } };
  });
  await recognition.approveNomination(5, '', 'key-1');
  await recognition.adjustPoints({ user_id: 1, amount: 2, reason: '好' }, 'key-2');
  expect(seen[0].url).toMatch(/\/nominations\/5\/approve$/);
  expect(seen[0].method).toBe('POST');
  expect(seen[0].header['Idempotency-Key']).toBe('key-1');
  expect(seen[0].header.Authorization).toBe('Bearer tok');
  expect(seen[0].data).toEqual({});
  expect(seen[1].url).toMatch(/\/points\/adjustments$/);
  expect(seen[1].header['Idempotency-Key']).toBe('key-2');
  expect(recognition.newIdempotencyKey('x')).not.toBe(recognition.newIdempotencyKey('x'));
});

test('public lists drop empty filters; the PDF URL is absolute and encoded', async () => {
  const seen = [];
  wx.__setRequestHandler((options) => {
    seen.push(options);
    return { statusCode: 200, data: { items: [] } };
  });
  await recognition.leaderboard({ region_id: null, period: 'week', page: 1 });
  expect(seen[0].url).toMatch(/\/leaderboards$/);
  expect(seen[0].data).toEqual({ period: 'week', page: 1 });
  expect(recognition.certificatePdfUrl('RY 1')).toMatch(/^https?:\/\/.+\/api\/v1\/certificates\/RY%201\/pdf$/);
});

test('service-hour certificate request and scorecard export URL', async () => {
  const seen = [];
  wx.__setRequestHandler((options) => {
    seen.push(options);
    return { statusCode: 201, data: { number: 'FW1' } };
  });
  await recognition.requestServiceHoursCertificate();
  expect(seen[0].url).toMatch(/\/me\/certificates$/);
  expect(seen[0].method).toBe('POST');
  expect(seen[0].data).toEqual({ kind: 'service_hours' });
  await recognition.scorecards({ type: 'village', period: 'month' });
  expect(seen[1].url).toMatch(/\/scorecards/);
  const url = recognition.scorecardExportUrl({ type: 'village', period: 'month', date: '', page: 2, page_size: 20 }, 'xlsx');
  expect(url).toMatch(/\/api\/v1\/scorecards\?type=village&period=month&format=xlsx$/);
});
