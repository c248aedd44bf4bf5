/**
 * A service request end to end with the mini-program's own services/ code against a live API:
 * a resident uploads a photo (wx.uploadFile → POST /uploads), submits a hazard report with it in
 * demo-grid-worker's grid; the grid worker finds it in the queue, claims it and resolves it (and
 * earns points); the resident rates it; the timeline tells the whole story.
 *
 *   MP_API_BASE=http://127.0.0.1:5055/api/v1 npm run test:integration
 *
 * Needs the demo county (`flask seed demo`); fresh sandbox codes ("demo-grid-worker#<random>")
 * keep it repeatable against the same server.
 */
const crypto = require('crypto');
const path = require('path');
const { createNodeWx } = require('../helpers/node-wx');

global.wx = createNodeWx();

const { setApiBase } = require('../../config/env');
const auth = require('../../utils/auth');
const { get } = require('../../utils/request');
const userService = require('../../services/user');
const uploadService = require('../../services/upload');
const requestService = require('../../services/service_request');
const recognition = require('../../services/recognition');

const API_BASE = process.env.MP_API_BASE;
const rand = () => crypto.randomBytes(4).toString('hex');
// Any real image does: the server checks the type from the bytes.
const PHOTO = path.resolve(__dirname, '../../images/tab/home.png');

async function loginAs(name) {
  const session = wx.__newSession();
  wx.__queueLoginCode(`${name}#${rand()}`);
  await auth.login();
  return session;
}

describe(`service request against ${API_BASE}`, () => {
  const sessions = {};
  let grid;
  let photo;
  let request;
  const description = `小区消防通道被车辆长期占用(${rand()})，着火时消防车进不来。`;

  beforeAll(async () => {
    setApiBase(API_BASE);
    sessions.grid = await loginAs('demo-grid-worker');
    sessions.resident = await loginAs(`mp-sr-resident-${rand()}`);
  });

  test('the grid worker works in a grid of the demo county', async () => {
    wx.__useSession(sessions.grid);
    const me = await userService.getMe();
    grid = me.roles.find((r) => r.role === 'grid_worker');
    expect(grid.region_level).toBe('grid');
  });

  test('a resident accepts the privacy notice and uploads a photo', async () => {
    wx.__useSession(sessions.resident);
    const me = await userService.getMe();
    await userService.acceptConsent(me.privacy_notice_version);
    photo = await uploadService.uploadImage(PHOTO);
    expect(photo.url).toMatch(/^\/api\/v1\/uploads\//);
    expect(photo.content_type).toBe('image/png');
    expect(photo.width).toBe(81);
    await expect(uploadService.uploadImage('/nonexistent/photo.png')).rejects.toMatchObject({ code: 'network_error' });
  });

  test('the resident submits a hazard report with the photo', async () => {
    wx.__useSession(sessions.resident);
    request = await requestService.submit({
      category: 'hazard',
      urgency: 'normal',
      description,
      region_id: grid.region_id,
      address: '龙津花园 3 栋旁',
      photos: [photo.url],
    });
    expect(request.status).toBe('submitted');
    expect(request.photos).toHaveLength(1);
    const mine = await requestService.list({ scope: 'mine' });
    expect(mine.items.map((r) => r.id)).toContain(request.id);
  });

  test('demo-grid-worker claims it from the queue and resolves it, earning points', async () => {
    wx.__useSession(sessions.grid);
    const queue = await requestService.list({ status: 'submitted', page_size: 100 });
    const item = queue.items.find((r) => r.id === request.id);
    expect(item).toBeTruthy();
    const detail = await requestService.get(request.id);
    expect(detail.actions.map((a) => a.action)).toContain('claim');
    const before = (await recognition.myPoints()).balance;
    const claimed = await requestService.act(request.id, 'claim', { note: '马上去现场' });
    expect(claimed.status).toBe('in_progress');
    const resolved = await requestService.act(request.id, 'resolve', { note: '已联系车主挪车，并设置禁停标识' });
    expect(resolved.status).toBe('resolved');
    const after = (await recognition.myPoints()).balance;
    expect(after).toBeGreaterThan(before);
  });

  test('the resident rates it; the timeline tells the story', async () => {
    wx.__useSession(sessions.resident);
    const rated = await requestService.rate(request.id, 5, '处理及时，非常满意');
    expect(rated.status).toBe('closed');
    const detail = await requestService.get(request.id);
    expect(detail.rating).toBe(5);
    expect(detail.timeline.map((e) => e.action)).toEqual(['submitted', 'claimed', 'resolved', 'rated']);
    const notes = detail.timeline.map((e) => e.note).join(' ');
    expect(notes).toContain('禁停标识');
    // A second rating is refused with a stable code the page branches on.
    await expect(requestService.rate(request.id, 4, '', { silent: true })).rejects.toMatchObject({ code: 'already_rated' });
    // The resident was told at every step.
    const inbox = await get('/me/notifications', { page_size: 50 });
    const kinds = inbox.items.filter((n) => n.kind === 'service_request_update');
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    expect(wx.__toasts).toEqual([]);
  });
});
