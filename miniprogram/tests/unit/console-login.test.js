// 确认登录工作台: the page the PC console's mini-program code opens (scene = login ticket).
jest.mock('../../utils/auth');

const auth = require('../../utils/auth');
const { load, render, flush, tap, textOf } = require('../helpers/simulate');

const TICKET = 'Abc_123-xyz';
let calls;

function server(answers) {
  calls = [];
  wx.__setRequestHandler((o) => {
    calls.push([o.method, o.url.replace(/^.*\/api\/v1/, '')]);
    const action = o.url.split('/').pop();
    const answer = answers[action];
    return typeof answer === 'function' ? answer(o) : answer;
  });
}

const FOR_ADMIN = {
  ticket: TICKET,
  status: 'scanned',
  expires_at: new Date(Date.now() + 100 * 1000).toISOString(),
  client: { ip: '10.2.*.*', browser: 'Chrome Windows' },
  user: { id: 3, nickname: '剑光街道-王主任', role_names: ['乡镇管理员'] },
};

let id;
beforeAll(() => {
  id = load('subpackages/admin/pages/console-login/index');
});

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

async function open(scene) {
  const comp = render(id);
  comp.instance.onLoad({ scene: encodeURIComponent(scene) });
  await flush();
  return comp;
}

test('shows what is being logged in, then confirms', async () => {
  server({ scan: { statusCode: 200, data: FOR_ADMIN }, confirm: { statusCode: 200, data: Object.assign({}, FOR_ADMIN, { status: 'confirmed' }) } });
  const comp = await open(TICKET);
  expect(calls).toEqual([['POST', `/console/login-tickets/${TICKET}/scan`]]);
  expect(textOf(comp, '#account')).toBe('剑光街道-王主任（乡镇管理员）');
  expect(textOf(comp, '#client')).toBe('Chrome Windows · 10.2.*.*');
  expect(textOf(comp, '#seconds')).toMatch(/^(99|100) 秒$/);
  await tap(comp, '#confirm');
  expect(calls.pop()).toEqual(['POST', `/console/login-tickets/${TICKET}/confirm`]);
  expect(textOf(comp, '#done')).toContain('已确认登录');
  expect(comp.querySelector('#confirm-card')).toBeFalsy();
  comp.instance.onUnload();
});

test('cancel refuses the login on the PC', async () => {
  server({ scan: { statusCode: 200, data: FOR_ADMIN }, cancel: { statusCode: 200, data: FOR_ADMIN } });
  const comp = await open(TICKET);
  await tap(comp, '#cancel');
  expect(calls.pop()).toEqual(['POST', `/console/login-tickets/${TICKET}/cancel`]);
  expect(textOf(comp, '#cancelled')).toContain('已取消登录');
  comp.instance.onUnload();
});

test.each([
  [410, 'login_ticket_expired', '二维码已过期'],
  [409, 'login_ticket_used', '已使用'],
  [409, 'login_ticket_scanned_by_other', '其他管理员'],
  [403, 'console_admin_required', '只有综治中心管理员'],
  [404, 'login_ticket_not_found', '二维码无效'],
])('a refused ticket (%i %s) says why and offers no confirm', async (status, code, text) => {
  server({ scan: { statusCode: status, data: { code, message: '' } } });
  const comp = await open(TICKET);
  expect(textOf(comp, '#failed')).toContain(text);
  expect(comp.querySelector('#confirm')).toBeFalsy();
});

test('a ticket that expires while the page is open cannot be confirmed', async () => {
  jest.useFakeTimers({ now: Date.now() });
  try {
    server({ scan: { statusCode: 200, data: Object.assign({}, FOR_ADMIN, { expires_at: new Date(Date.now() + 3000).toISOString() }) } });
    const comp = render(id);
    comp.instance.onLoad({ scene: TICKET });
    await jest.advanceTimersByTimeAsync(10);
    expect(comp.querySelector('#confirm')).toBeTruthy();
    await jest.advanceTimersByTimeAsync(4000);
    expect(comp.data.state).toBe('failed');
    expect(comp.querySelector('#confirm')).toBeFalsy();
    comp.instance.onUnload();
  } finally {
    jest.useRealTimers();
  }
});

test('opened without a ticket', async () => {
  server({});
  const comp = await open('');
  expect(calls).toEqual([]);
  expect(textOf(comp, '#failed')).toContain('二维码无效');
});
