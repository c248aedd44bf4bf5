/**
 * Activities end to end through the mini-program's own services/ code against a live API:
 * a council posts and publishes an activity, a volunteer enrolls, the organiser shows the
 * rotating check-in code, the volunteer "scans" it (the scene parsed as the scan page does) and
 * checks in and out with a location, the organiser corrects the served hours (the activity has
 * not really run yet), and the volunteer sees hours, star level and points.
 *
 *   MP_API_BASE=http://127.0.0.1:5055/api/v1 MP_ADMIN_CODE=demo-village-admin npm run test:integration
 */
const crypto = require('crypto');
const { createNodeWx } = require('../helpers/node-wx');

global.wx = createNodeWx();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');
const userService = require('../../services/user');
const activityService = require('../../services/activity');
const { parseScene } = require('../../utils/scene');

const API_BASE = process.env.MP_API_BASE;
const ADMIN_NAME = (process.env.MP_ADMIN_CODE || 'demo-village-admin').split('#')[0];
const VOLUNTEER_NAME = process.env.MP_VOLUNTEER_CODE || 'demo-volunteer';
const ADMIN_ROLES = ['village_admin', 'township_admin'];
const SITE = { latitude: 28.1921, longitude: 115.7763 };

const nonce = () => crypto.randomBytes(4).toString('hex');

async function loginAs(name) {
  const session = wx.__newSession();
  // "<name>#<nonce>": the same person with a fresh, single-use login code.
  wx.__queueLoginCode(`${name}#${nonce()}`);
  await auth.login();
  return session;
}

describe(`activity flow against ${API_BASE}`, () => {
  let adminSession;
  let volunteerSession;
  let activity;
  let scene;
  let attendance;

  beforeAll(() => {
    setApiBase(API_BASE);
  });

  test('the council admin drafts and publishes an activity', async () => {
    adminSession = await loginAs(ADMIN_NAME);
    const me = await userService.getMe();
    const role = (me.roles || []).find((r) => ADMIN_ROLES.includes(r.role));
    expect(role).toBeTruthy();
    const start = new Date(Date.now() + 3 * 60 * 1000); // check-in opens 30 min before
    const end = new Date(start.getTime() + 2 * 3600 * 1000);
    const draft = await activityService.create({
      title: `集成测试巡逻${nonce()}`,
      description: '沿滨江路巡逻',
      category: 'patrol',
      region_id: role.region_id,
      start_at: start.toISOString(),
      end_at: end.toISOString(),
      place_name: '龙津社区广场',
      latitude: SITE.latitude,
      longitude: SITE.longitude,
      capacity: 5,
      waitlist_enabled: true,
      points_mode: 'per_hour',
      points_value: 10,
    });
    expect(draft.status).toBe('draft');
    activity = await activityService.publish(draft.id);
    expect(activity.status).toBe('published');
    const listed = await activityService.list({ category: 'patrol', page_size: 100 });
    expect(listed.items.map((a) => a.id)).toContain(activity.id);
  });

  test('a volunteer enrolls', async () => {
    volunteerSession = await loginAs(VOLUNTEER_NAME);
    const enrollment = await activityService.enroll(activity.id);
    expect(enrollment.status).toBe('enrolled');
    const detail = await activityService.get(activity.id);
    expect(detail.my_enrollment.status).toBe('enrolled');
  });

  test('the organiser shows the rotating check-in code', async () => {
    wx.__useSession(adminSession);
    const current = await activityService.checkinCode(activity.id, 'checkin');
    expect(current.scene.length).toBeLessThanOrEqual(32);
    expect(current.image).toMatch(/^data:image\/png;base64,/);
    scene = parseScene(current.scene);
    expect(scene).toEqual({ activityId: activity.id, code: current.code, purpose: 'checkin' });
    const roster = await activityService.roster(activity.id, {});
    expect(roster.total).toBe(1);
  });

  test('the volunteer checks in on site, and out', async () => {
    wx.__useSession(volunteerSession);
    const far = activityService.checkIn(
      scene.activityId,
      { code: scene.code, latitude: SITE.latitude + 0.05, longitude: SITE.longitude },
      { silent: true },
    );
    await expect(far).rejects.toMatchObject({ code: 'out_of_range', statusCode: 403 });
    const checkedIn = await activityService.checkIn(scene.activityId, {
      code: scene.code,
      latitude: SITE.latitude + 0.0002,
      longitude: SITE.longitude,
    });
    expect(checkedIn.status).toBe('checked_in');
    wx.__useSession(adminSession);
    const outCode = parseScene((await activityService.checkinCode(activity.id, 'checkout')).scene);
    expect(outCode.purpose).toBe('checkout');
    wx.__useSession(volunteerSession);
    attendance = await activityService.checkOut(outCode.activityId, {
      code: outCode.code,
      latitude: SITE.latitude,
      longitude: SITE.longitude,
    });
    expect(attendance.status).toBe('checked_out');
    expect(attendance.served_minutes).toBe(0); // before the start: nothing counts yet
  });

  test('the organiser records the real service time; the volunteer sees hours and points', async () => {
    wx.__useSession(volunteerSession);
    const before = await userService.getMe();
    wx.__useSession(adminSession);
    const corrected = await activityService.correctHours(attendance.id, 120, '集成测试：补录实际服务时长');
    expect(corrected.served_minutes).toBe(120);
    expect(corrected.points).toBe(20);
    wx.__useSession(volunteerSession);
    const hours = await activityService.myHours({});
    expect(hours.service_minutes).toBeGreaterThanOrEqual(120);
    expect(typeof hours.star_level).toBe('number');
    expect(hours.records.items[0].activity_title).toBe(activity.title);
    const me = await userService.getMe();
    expect(me.points).toBe(before.points + 20);
    expect(me.service_hours).toBeGreaterThanOrEqual(2);
    const mine = await activityService.myActivities({ when: 'upcoming' });
    expect(mine.items.map((e) => e.activity.id)).toContain(activity.id);
  });
});
