// See what a user sees: the key pages rendered with the demo county's data, screenshotted in
// Chromium, and failed when a text overflows its box, contrast is too low or a class is
// defined nowhere. The PNGs are kept (CI artefacts) in $MP_SHOTS_DIR.
const path = require('path');
const { loginAs, shoot, stopShooter, state, wx } = require('./harness');
const activityService = require('../../services/activity');
const userService = require('../../services/user');
const requestService = require('../../services/service_request');

// A page passes when Chromium finds nothing a user would see wrong.
function expectClean(result) {
  const lines = result.problems.map((p) => `${p.type}: ${p.text ? `「${p.text}」 ` : ''}${p.detail}`);
  expect(lines).toEqual([]);
}

describe('key pages with the demo county', () => {
  let admin;
  let volunteer;
  let resident;
  let gridWorker;
  let liveActivity;

  beforeAll(async () => {
    admin = await loginAs('demo-village-admin');
    // demo-volunteer-2: the integration flow enrolls demo-volunteer in an activity at the same time.
    volunteer = await loginAs('demo-volunteer-2');
    resident = await loginAs('demo-resident');
    gridWorker = await loginAs('demo-grid-worker');
    // An activity on now, so that the volunteer can check in (as in activity-flow.test.js).
    wx.__useSession(admin);
    const me = await userService.getMe();
    const role = me.roles.find((r) => r.role === 'village_admin');
    const start = new Date(Date.now() + 3 * 60 * 1000);
    const draft = await activityService.create({
      title: '滨江路周末治安巡逻',
      description: '沿滨江路至龙津桥巡逻，重点关注河道护栏和夜间照明。\n请穿志愿者马甲，18:50 在党群服务中心门口集合。',
      category: 'patrol',
      region_id: role.region_id,
      start_at: start.toISOString(),
      end_at: new Date(start.getTime() + 2 * 3600 * 1000).toISOString(),
      place_name: '龙津社区党群服务中心',
      latitude: 28.1921,
      longitude: 115.7763,
      capacity: 12,
      waitlist_enabled: true,
      points_mode: 'per_hour',
      points_value: 10,
    });
    liveActivity = await activityService.publish(draft.id);
    wx.__useSession(volunteer);
    try {
      await activityService.enroll(liveActivity.id, { silent: true });
    } catch (e) {
      // A rerun against the same server: the volunteer already holds the earlier one.
      const mine = await activityService.myActivities({ when: 'upcoming', status: 'enrolled' });
      liveActivity = mine.items.map((i) => i.activity).find((a) => a.title === liveActivity.title) || liveActivity;
    }
  });

  afterAll(() => stopShooter());

  test('home of a volunteer', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('01-home-volunteer', 'pages/home/index'));
  });

  test('home of a resident', async () => {
    wx.__useSession(resident);
    expectClean(await shoot('01b-home-resident', 'pages/home/index'));
  });

  test('home of a grid worker', async () => {
    wx.__useSession(gridWorker);
    expectClean(await shoot('01c-home-grid-worker', 'pages/home/index'));
  });

  test('home of a village admin', async () => {
    wx.__useSession(admin);
    expectClean(await shoot('01d-home-admin', 'pages/home/index'));
  });

  test('activity list', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('02-activity-list', 'pages/activity/list/index'));
  });

  test('activity detail (enrolled)', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('03-activity-detail', 'pages/activity/detail/index', { options: { id: String(liveActivity.id) } }));
  });

  test('check-in by scanning the organiser code (scene entry): the result names what and when', async () => {
    wx.__useSession(admin);
    const code = await activityService.checkinCode(liveActivity.id, 'checkin');
    wx.__useSession(volunteer);
    const result = await shoot('04-scan-checkin-result', 'pages/activity/scan/index', {
      options: { scene: encodeURIComponent(code.scene) },
    });
    expectClean(result);
    const text = result.comp.dom.textContent;
    expect(text).toContain('签到成功');
    expect(text).toContain('滨江路周末治安巡逻');
  });

  test('check-in refused: out of range', async () => {
    wx.__useSession(admin);
    const code = await activityService.checkinCode(liveActivity.id, 'checkout');
    wx.__useSession(volunteer);
    state.location = { latitude: 28.25, longitude: 115.7763, accuracy: 20 };
    try {
      expectClean(await shoot('04b-scan-out-of-range', 'pages/activity/scan/index', { options: { scene: encodeURIComponent(code.scene) } }));
    } finally {
      state.location = { latitude: 28.1921, longitude: 115.7763, accuracy: 15 };
    }
  });

  test('service request form with the errors of an empty submit', async () => {
    wx.__useSession(resident);
    expectClean(await shoot('05-service-submit', 'pages/service/submit/index', {
      after: async (comp) => { comp.instance.onSubmit(); },
    }));
  });

  test('service request detail (resident)', async () => {
    wx.__useSession(resident);
    const list = await requestService.list({ page_size: 5 });
    expectClean(await shoot('06-service-detail', 'pages/service/detail/index', { options: { id: String(list.items[0].id) } }));
  });

  test('my points', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('07-points', 'pages/recognition/points/index'));
  });

  test('leaderboard', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('08-leaderboard', 'pages/recognition/leaderboard/index'));
  });

  test('我的 (volunteer)', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('09-mine', 'pages/mine/index'));
  });

  test('admin hub (village admin)', async () => {
    wx.__useSession(admin);
    expectClean(await shoot('10-admin-hub', 'subpackages/admin/pages/hub/index'));
  });

  test('work orders (grid worker)', async () => {
    wx.__useSession(gridWorker);
    expectClean(await shoot('11-work-orders', 'subpackages/admin/pages/requests/queue/index'));
  });

  test('on-site check-in code (organiser)', async () => {
    wx.__useSession(admin);
    const result = await shoot('12-checkin-code', 'subpackages/admin/pages/activities/qrcode/index', { options: { id: String(liveActivity.id) } });
    expectClean(result);
  });

  test('message inbox', async () => {
    wx.__useSession(volunteer);
    expectClean(await shoot('13-messages', 'pages/message/index'));
  });

  test('activity list with the API unreachable: an error state with a retry', async () => {
    wx.__useSession(volunteer);
    const { setApiBase } = require('../../config/env');
    setApiBase('http://127.0.0.1:9/api/v1'); // nothing listens on the discard port
    try {
      expectClean(await shoot('14-activity-list-offline', 'pages/activity/list/index'));
    } finally {
      setApiBase(process.env.MP_API_BASE);
    }
  });

  test('volunteer application form (resident)', async () => {
    wx.__useSession(resident);
    expectClean(await shoot('15-volunteer-apply', 'pages/volunteer/apply/index'));
  });

  test('honour roll', async () => {
    wx.__useSession(resident);
    expectClean(await shoot('16-honours', 'pages/recognition/honours/index'));
  });

  test('a shared certificate, opened by someone who never used the app', async () => {
    wx.__useSession(volunteer);
    const honours = await require('../../services/recognition').honours({ page_size: 5 }, { auth: false });
    const number = honours.items.map((h) => h.certificate_number).find(Boolean);
    wx.__newSession(); // no token at all
    const result = await shoot('17-certificate-shared', 'pages/recognition/certificate/index', { options: { number } });
    expectClean(result);
    expect(result.comp.dom.textContent).toContain('证书有效');
  });

  test('funds', async () => {
    wx.__useSession(resident);
    expectClean(await shoot('18-funds', 'pages/fund/list/index'));
  });

  test('screenshots are written', () => {
    expect(path.isAbsolute(require('./harness').SHOTS)).toBe(true);
  });
});
