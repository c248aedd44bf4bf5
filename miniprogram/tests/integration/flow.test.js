/**
 * End-to-end flow of the mini-program's own services/ code against a live API.
 *
 *   MP_API_BASE=http://127.0.0.1:5055/api/v1 MP_ADMIN_CODE=demo-village-admin npm run test:integration
 *
 * The API must run with the WeChat sandbox: login code "<name>" → openid "sandbox-<name>",
 * and the admin code must map to an admin (village/township/city) seeded by `flask seed demo`.
 * A sandbox code works once: to run the flow twice against one server, pass a token of
 * the admin instead (MP_ADMIN_TOKEN) or restart the sandbox.
 */
const crypto = require('crypto');
const { createNodeWx } = require('../helpers/node-wx');

global.wx = createNodeWx();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');
const userService = require('../../services/user');
const regionService = require('../../services/region');
const volunteerService = require('../../services/volunteer');
const { idCheckChar } = require('../../utils/validators');

const API_BASE = process.env.MP_API_BASE;
const ADMIN_CODE = process.env.MP_ADMIN_CODE || 'demo-village-admin';
const ADMIN_TOKEN = process.env.MP_ADMIN_TOKEN || '';
const ADMIN_ROLES = ['village_admin', 'township_admin', 'city_admin'];

const rand = (n) => crypto.randomBytes(n).toString('hex');
const digits = (n) => Array.from({ length: n }, () => crypto.randomInt(10)).join('');

function randomName() {
  const surnames = '张王李赵刘陈杨黄周吴';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚';
  const pick = (s) => s[crypto.randomInt(s.length)];
  return pick(surnames) + pick(given) + pick(given);
}

// A syntactically valid resident ID (Fengcheng area code 360981) with a correct check digit.
function randomIdNumber() {
  const year = 1970 + crypto.randomInt(30);
  const month = String(1 + crypto.randomInt(12)).padStart(2, '0');
  const day = String(1 + crypto.randomInt(28)).padStart(2, '0');
  const first17 = `360981${year}${month}${day}${digits(3)}`;
  return first17 + idCheckChar(first17);
}

async function loginAs(code) {
  const session = wx.__newSession();
  wx.__queueLoginCode(code);
  const result = await auth.login();
  expect(result.token).toBeTruthy();
  return session;
}

// Pick a village the admin may review: their own village, a village of their township,
// or any village for a city admin.
async function pickVillage(adminRole) {
  const villages = (await regionService.list({ level: 'village', page_size: 500 })).items || [];
  expect(villages.length).toBeGreaterThan(0);
  if (adminRole) {
    const own = villages.find((v) => v.id === adminRole.region_id);
    if (own) return own;
    const child = villages.find((v) => v.parent_id === adminRole.region_id);
    if (child) return child;
  }
  return villages[0];
}

describe(`mini-program flow against ${API_BASE}`, () => {
  let adminSession;
  let residentSession;
  let adminRole;
  let application;
  const applicant = {
    real_name: randomName(),
    phone: `139${digits(8)}`,
    id_number: randomIdNumber(),
  };

  beforeAll(() => {
    setApiBase(API_BASE);
  });

  test('the demo admin logs in and has an admin role', async () => {
    if (ADMIN_TOKEN) {
      adminSession = wx.__newSession();
      wx.setStorageSync('sa_token', ADMIN_TOKEN);
    } else {
      adminSession = await loginAs(ADMIN_CODE);
    }
    const me = await userService.getMe();
    expect(me.is_admin).toBe(true);
    adminRole = (me.roles || []).find((r) => ADMIN_ROLES.includes(r.role));
    expect(adminRole).toBeTruthy();
  });

  test('a new resident logs in and accepts the privacy notice', async () => {
    residentSession = await loginAs(`mp-resident-${rand(6)}`);
    const me = await userService.getMe();
    expect(me.volunteer).toBeFalsy();
    expect(me.privacy_notice_version).toBeTruthy();
    await userService.acceptConsent(me.privacy_notice_version);
    const after = await userService.getMe();
    expect(after.consent_required).toBe(false);
    expect(after.consent_version).toBe(me.privacy_notice_version);
  });

  test('the resident applies as a volunteer', async () => {
    wx.__useSession(residentSession);
    const village = await pickVillage(adminRole);
    application = await volunteerService.apply(Object.assign({}, applicant, {
      village_id: village.id,
      skills: ['巡防员', '调解员'],
      availability: '周末全天',
      intro: '集成测试申请',
    }));
    expect(application.id).toBeTruthy();
    expect(application.status).toBe('pending');
    const me = await userService.getMe();
    expect(me.volunteer).toMatchObject({ id: application.id, status: 'pending' });
  });

  test('the admin finds the application among the pending ones and approves it', async () => {
    wx.__useSession(adminSession);
    let found = null;
    for (let page = 1; page <= 50 && !found; page += 1) {
      // eslint-disable-next-line no-await-in-loop
      const res = await volunteerService.list({ status: 'pending', q: applicant.real_name, page, page_size: 100 });
      found = (res.items || []).find((v) => v.id === application.id);
      if (!res.items || res.items.length < 100) break;
    }
    expect(found).toBeTruthy();
    expect(found.status).toBe('pending');

    const detail = await volunteerService.get(application.id);
    expect(detail.real_name).toBe(applicant.real_name);

    const approved = await volunteerService.approve(application.id, '集成测试通过');
    expect(approved.status).toBe('approved');
  });

  test('the resident now sees an approved volunteer status', async () => {
    wx.__useSession(residentSession);
    const me = await userService.getMe();
    expect(me.volunteer).toMatchObject({ id: application.id, status: 'approved' });
    expect(wx.__toasts).toEqual([]);
  });
});
