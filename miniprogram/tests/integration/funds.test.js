/**
 * Funds end to end with the mini-program's own services/ code against a live API:
 * an admin opens a fund, records donations (one retried with the same Idempotency-Key),
 * submits an expense, a township admin approves it and the village admin pays it; a resident
 * then reads the public ledger (donors masked) and the monthly statement.
 *
 *   MP_API_BASE=http://127.0.0.1:5055/api/v1 npm run test:integration
 *
 * Needs the demo county (`flask seed demo`) and the WeChat sandbox; fresh sandbox codes
 * ("demo-city-admin#<random>") are used, so the flow can run again against the same server.
 */
const crypto = require('crypto');
const { createNodeWx } = require('../helpers/node-wx');

global.wx = createNodeWx();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');
const { get, post } = require('../../utils/request');
const fundService = require('../../services/fund');

const API_BASE = process.env.MP_API_BASE;
const rand = () => crypto.randomBytes(4).toString('hex');

async function loginAs(name) {
  const session = wx.__newSession();
  wx.__queueLoginCode(`${name}#${rand()}`);
  await auth.login();
  return session;
}

describe(`funds against ${API_BASE}`, () => {
  const sessions = {};
  let fund;
  let expense;
  const donor = `欧阳${rand().slice(0, 2)}`;

  beforeAll(async () => {
    setApiBase(API_BASE);
    sessions.city = await loginAs('demo-city-admin');
    sessions.township = await loginAs('demo-township-admin');
    sessions.village = await loginAs('demo-village-admin');
    sessions.resident = await loginAs(`mp-fund-resident-${rand()}`);
  });

  test('the village fund exists (opened by the city admin when missing)', async () => {
    wx.__useSession(sessions.village);
    const me = await get('/me');
    const role = me.roles.find((r) => r.role === 'village_admin');
    const existing = await fundService.list({ region_id: role.region_id });
    fund = (existing.items || []).find((f) => f.region_id === role.region_id);
    if (!fund) {
      wx.__useSession(sessions.city);
      fund = await post('/funds', { region_id: role.region_id, name: `${role.region_name || '村'}平安基金`, target_fen: 10000000 });
    }
    expect(fund.id).toBeTruthy();
  });

  test('the village admin records donations; a retried one counts once', async () => {
    wx.__useSession(sessions.village);
    const before = await fundService.get(fund.id);
    const key = fundService.newIdempotencyKey();
    const body = { amount_fen: 50000, donor_name: donor, donor_type: 'person', channel: 'wechat_transfer', receipt_no: `MP-${rand()}` };
    const first = await fundService.recordDonation(fund.id, body, key);
    const retry = await fundService.recordDonation(fund.id, body, key);
    expect(retry.id).toBe(first.id);
    expect(first.donor_name).toBe(donor); // the admin sees the full name
    await fundService.recordDonation(fund.id, { amount_fen: 1234, anonymous: true, channel: 'cash' }, fundService.newIdempotencyKey());
    const after = await fundService.get(fund.id);
    expect(after.balance_fen - before.balance_fen).toBe(51234);
  });

  test('an expense is submitted, approved by the township and paid by the village', async () => {
    wx.__useSession(sessions.village);
    expense = await fundService.submitExpense(
      fund.id,
      { amount_fen: 30000, category: 'equipment', purpose: '购买巡逻手电筒', payee: '丰城市五金店', payee_type: 'company' },
      fundService.newIdempotencyKey(),
    );
    expect(expense.status).toBe('pending');
    await expect(fundService.approveExpense(expense.id, '', { silent: true })).rejects.toMatchObject({ code: 'self_approval' });

    wx.__useSession(sessions.township);
    const queue = await fundService.listExpenses({ actionable: true, fund_id: fund.id, page_size: 100 });
    expect(queue.items.map((x) => x.id)).toContain(expense.id);
    const approved = await fundService.approveExpense(expense.id, '同意');
    expect(approved.status).toBe('approved');

    wx.__useSession(sessions.village);
    const before = await fundService.get(fund.id);
    const paid = await fundService.payExpense(expense.id, { reference: `ZZ-${rand()}` });
    expect(paid.status).toBe('paid');
    const after = await fundService.get(fund.id);
    expect(before.balance_fen - after.balance_fen).toBe(30000);
  });

  test('a resident reads the public ledger and the monthly statement, donors masked', async () => {
    wx.__useSession(sessions.resident);
    const ledger = await fundService.entries(fund.id, { page_size: 10 });
    const text = JSON.stringify(ledger);
    expect(text).not.toContain(donor);
    expect(ledger.items.map((e) => e.donor_name)).toContain(donor[0] + '*'.repeat(donor.length - 1));
    expect(ledger.items.map((e) => e.donor_name)).toContain('匿名');
    expect(ledger.items.every((e) => e.receipt_no === null && e.attachments.length === 0)).toBe(true);
    const spent = ledger.items.find((e) => e.expense_id === expense.id);
    expect(spent.signed_amount_fen).toBe(-30000);

    const statement = await fundService.statement(fund.id);
    expect(statement.closing_balance_fen).toBe((await fundService.get(fund.id)).balance_fen);
    expect(JSON.stringify(statement)).not.toContain(donor);
    expect(wx.__toasts).toEqual([]);
  });
});
