/**
 * Recognition end to end with the mini-program's own services/ code against a live API:
 * the village admin nominates a demo volunteer for a village-level award, the volunteer may not
 * approve it and the township admin does; the volunteer sees the award, the points and the
 * certificate, and anyone can verify the certificate by its number.
 *
 *   MP_API_BASE=http://127.0.0.1:5055/api/v1 npm run test:integration
 */
const crypto = require('crypto');
const { createNodeWx } = require('../helpers/node-wx');

global.wx = createNodeWx();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');
const userService = require('../../services/user');
const recognition = require('../../services/recognition');

const API_BASE = process.env.MP_API_BASE;
const rand = () => crypto.randomBytes(4).toString('hex');

async function loginAs(name) {
  const session = wx.__newSession();
  wx.__queueLoginCode(`${name}#${rand()}`);
  await auth.login();
  return session;
}

describe(`recognition against ${API_BASE}`, () => {
  const sessions = {};
  let volunteer;
  let awardType;
  let nomination;
  let pointsBefore;
  let certificate;
  // A fresh period label keeps the nomination new when the flow runs again.
  const period = `演示${rand()}期`;

  beforeAll(async () => {
    setApiBase(API_BASE);
    sessions.village = await loginAs('demo-village-admin');
    sessions.township = await loginAs('demo-township-admin');
    sessions.volunteer = await loginAs('demo-volunteer');
    sessions.visitor = wx.__newSession(); // not logged in
  });

  test('the volunteer and the village-level award type', async () => {
    wx.__useSession(sessions.volunteer);
    const me = await userService.getMe();
    volunteer = me.volunteer;
    expect(volunteer.status).toBe('approved');
    pointsBefore = (await recognition.myPoints()).balance;
    const types = await recognition.awardTypes({ tier: 'village' });
    awardType = types.items.find((t) => t.target_kind === 'volunteer');
    expect(awardType).toBeTruthy();
  });

  test('the village admin nominates the volunteer', async () => {
    wx.__useSession(sessions.village);
    nomination = await recognition.nominate({
      award_type_id: awardType.id,
      target_id: volunteer.id,
      reason: '长期坚持夜间巡逻，主动排查消防隐患。',
      period_label: period,
    });
    expect(nomination.status).toBe('pending');
    await expect(recognition.approveNomination(nomination.id, '', recognition.newIdempotencyKey(), { silent: true }))
      .rejects.toMatchObject({ statusCode: 403 });
  });

  test('the township admin approves it from the queue (a retry grants once)', async () => {
    wx.__useSession(sessions.township);
    const queue = await recognition.nominations({ status: 'pending', page_size: 100 });
    expect(queue.items.map((n) => n.id)).toContain(nomination.id);
    const key = recognition.newIdempotencyKey();
    const approved = await recognition.approveNomination(nomination.id, '事迹属实，同意', key);
    expect(approved.status).toBe('approved');
    const retried = await recognition.approveNomination(nomination.id, '事迹属实，同意', key);
    expect(retried.id).toBe(approved.id);
  });

  test('the volunteer sees the award, the points and the certificate', async () => {
    wx.__useSession(sessions.volunteer);
    const points = await recognition.myPoints();
    expect(points.balance - pointsBefore).toBe(awardType.points);
    expect(points.items[0].source_type).toBe('award');
    const certificates = await recognition.myCertificates({ page_size: 50 });
    certificate = certificates.items.find((c) => c.kind === 'award' && c.content.includes(period));
    expect(certificate).toBeTruthy();
    const roll = await recognition.honours({ tier: 'village', page_size: 50 });
    expect(roll.items.some((a) => a.period_label === period && a.title === awardType.name)).toBe(true);
  });

  test('anyone verifies the certificate by its number', async () => {
    wx.__useSession(sessions.visitor);
    const verified = await recognition.verifyCertificate(certificate.number);
    expect(verified.valid).toBe(true);
    expect(verified.number).toBe(certificate.number);
    expect(verified.content).toContain(awardType.name);
    expect(JSON.stringify(verified)).not.toMatch(/\d{17}[\dX]/); // the ID number stays masked
    await expect(recognition.verifyCertificate('NO-SUCH-NUMBER', { silent: true })).rejects.toMatchObject({ statusCode: 404 });
    expect(wx.__toasts).toEqual([]);
  });
});
