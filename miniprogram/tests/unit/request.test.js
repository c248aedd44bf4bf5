const { setApiBase } = require('../../config/env');
const { request, get, post } = require('../../utils/request');
const auth = require('../../utils/auth');
const { NETWORK_ERROR_MESSAGE } = require('../../utils/constants');

function setToken(token) {
  wx.__store.set('sa_token', token);
}

// A fake API: /auth/wechat issues "fresh-N" tokens; other paths accept only valid tokens.
function fakeApi({ validToken = 'fresh-1', body = { ok: true } } = {}) {
  let issued = 0;
  return (options) => {
    if (options.url.endsWith('/auth/wechat')) {
      issued += 1;
      return {
        statusCode: 200,
        data: { token: `fresh-${issued}`, expires_at: '2999-01-01T00:00:00+08:00', user: { id: 1 } },
      };
    }
    const authz = options.header.Authorization;
    if (authz !== `Bearer ${validToken}`) {
      return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
    }
    return { statusCode: 200, data: body };
  };
}

describe('utils/request', () => {
  afterEach(() => setApiBase(null));

  test('prefixes the API base by env version and sends JSON with the bearer token', async () => {
    setToken('abc');
    wx.__setRequestHandler(() => ({ statusCode: 200, data: { id: 7 } }));
    const body = await get('/me');
    expect(body).toEqual({ id: 7 });
    const options = wx.request.mock.calls[0][0];
    expect(options.url).toBe('http://127.0.0.1:5000/api/v1/me');
    expect(options.method).toBe('GET');
    expect(options.header.Authorization).toBe('Bearer abc');
    expect(options.header['Content-Type']).toBe('application/json');
  });

  test('uses the release base for release builds and honours an override', async () => {
    wx.getAccountInfoSync.mockReturnValue({ miniProgram: { envVersion: 'release' } });
    await get('/health');
    expect(wx.request.mock.calls[0][0].url).toBe('https://safe-alliance.example.cn/api/v1/health');
    setApiBase('http://localhost:9/api/v1/');
    await get('/health');
    expect(wx.request.mock.calls[1][0].url).toBe('http://localhost:9/api/v1/health');
  });

  test('omits Authorization without a token or with auth: false, drops empty query values', async () => {
    await get('/activities', { page: 1, category: '', region_id: undefined });
    const first = wx.request.mock.calls[0][0];
    expect(first.header.Authorization).toBeUndefined();
    expect(first.data).toEqual({ page: 1 });
    setToken('abc');
    await post('/auth/wechat', { code: 'x' }, { auth: false });
    expect(wx.request.mock.calls[1][0].header.Authorization).toBeUndefined();
    expect(wx.request.mock.calls[1][0].data).toEqual({ code: 'x' });
  });

  test('resolves null for 204', async () => {
    wx.__setRequestHandler(() => ({ statusCode: 204, data: '' }));
    await expect(request({ url: '/me', method: 'DELETE' })).resolves.toBeNull();
  });

  test('rejects with the error envelope and shows its message as a toast', async () => {
    wx.__setRequestHandler(() => ({
      statusCode: 422,
      data: { code: 'validation_error', message: '输入有误', errors: { phone: ['手机号格式不正确'] } },
    }));
    await expect(post('/volunteers', {})).rejects.toEqual({
      code: 'validation_error',
      message: '输入有误',
      errors: { phone: ['手机号格式不正确'] },
      statusCode: 422,
    });
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '输入有误', icon: 'none' }));
  });

  test('silent: true suppresses the toast', async () => {
    wx.__setRequestHandler(() => ({ statusCode: 404, data: { code: 'not_found', message: '不存在' } }));
    await expect(get('/me/notifications', null, { silent: true })).rejects.toMatchObject({
      code: 'not_found',
      statusCode: 404,
    });
    expect(wx.showToast).not.toHaveBeenCalled();
  });

  test('a non-JSON error body still gives an envelope', async () => {
    wx.__setRequestHandler(() => ({ statusCode: 502, data: '<html>Bad Gateway</html>' }));
    await expect(get('/me')).rejects.toMatchObject({ code: 'http_502', statusCode: 502 });
    expect(wx.showToast).toHaveBeenCalledTimes(1);
  });

  test('network failure → Chinese toast and network_error rejection', async () => {
    wx.__setRequestHandler(() => ({ fail: true }));
    await expect(get('/me')).rejects.toMatchObject({ code: 'network_error', message: NETWORK_ERROR_MESSAGE });
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络异常，请稍后重试' }));
  });

  test('401 → one silent re-login and one retry with the new token', async () => {
    setToken('stale');
    wx.__setRequestHandler(fakeApi({ body: { id: 1, nickname: '张三' } }));
    const body = await get('/me');
    expect(body).toEqual({ id: 1, nickname: '张三' });
    expect(wx.login).toHaveBeenCalledTimes(1);
    const urls = wx.request.mock.calls.map((c) => c[0].url.replace('http://127.0.0.1:5000/api/v1', ''));
    expect(urls).toEqual(['/me', '/auth/wechat', '/me']);
    expect(wx.request.mock.calls[1][0].data).toEqual({ code: 'test-code-1' });
    expect(wx.request.mock.calls[2][0].header.Authorization).toBe('Bearer fresh-1');
    expect(wx.__store.get('sa_token')).toBe('fresh-1');
    expect(wx.showToast).not.toHaveBeenCalled();
  });

  test('a second 401 after the retry is not retried again', async () => {
    setToken('stale');
    wx.__setRequestHandler(fakeApi({ validToken: 'never' }));
    await expect(get('/me')).rejects.toMatchObject({ code: 'token_expired', statusCode: 401 });
    expect(wx.login).toHaveBeenCalledTimes(1);
    expect(wx.request).toHaveBeenCalledTimes(3);
    expect(wx.showToast).toHaveBeenCalledTimes(1);
  });

  test('concurrent 401s share one re-login', async () => {
    setToken('stale');
    wx.__setRequestHandler(fakeApi());
    const results = await Promise.all([get('/me'), get('/me/points'), get('/volunteers')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(wx.login).toHaveBeenCalledTimes(1);
    const logins = wx.request.mock.calls.filter((c) => c[0].url.endsWith('/auth/wechat'));
    expect(logins).toHaveLength(1);
    expect(wx.request).toHaveBeenCalledTimes(7);
  });

  test('a failed re-login rejects with the original envelope', async () => {
    setToken('stale');
    wx.__setRequestHandler((options) => (options.url.endsWith('/auth/wechat')
      ? { statusCode: 401, data: { code: 'invalid_code', message: '登录失败' } }
      : { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } }));
    await expect(get('/me')).rejects.toMatchObject({ code: 'token_expired' });
    expect(wx.login).toHaveBeenCalledTimes(1);
    expect(wx.request).toHaveBeenCalledTimes(2);
    expect(wx.showToast).toHaveBeenCalledTimes(1);
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '登录已过期' }));
  });
});

describe('utils/auth', () => {
  test('login stores token, expiry and user; getToken/logout', async () => {
    wx.__setRequestHandler(() => ({
      statusCode: 200,
      data: { token: 'tok', expires_at: '2999-01-01T00:00:00+08:00', user: { id: 3 } },
    }));
    const session = await auth.login();
    expect(session.token).toBe('tok');
    expect(wx.request.mock.calls[0][0].data).toEqual({ code: 'test-code-1' });
    expect(auth.getToken()).toBe('tok');
    expect(auth.getUser()).toEqual({ id: 3 });
    auth.logout();
    expect(auth.getToken()).toBe('');
    expect(auth.getUser()).toBeNull();
  });

  test('an expired token counts as none; ensureLogin logs in once for concurrent callers', async () => {
    wx.__store.set('sa_token', 'old');
    wx.__store.set('sa_token_expires_at', '2000-01-01T00:00:00+08:00');
    expect(auth.getToken()).toBe('');
    wx.__setRequestHandler(() => ({
      statusCode: 200,
      data: { token: 'new', expires_at: '2999-01-01T00:00:00+08:00', user: { id: 3 } },
    }));
    const tokens = await Promise.all([auth.ensureLogin(), auth.ensureLogin()]);
    expect(tokens).toEqual(['new', 'new']);
    expect(wx.login).toHaveBeenCalledTimes(1);
    await expect(auth.ensureLogin()).resolves.toBe('new');
    expect(wx.login).toHaveBeenCalledTimes(1);
  });

  test('wx.login failure rejects with wx_login_failed', async () => {
    wx.login.mockImplementation((options) => options.fail({ errMsg: 'login:fail' }));
    await expect(auth.login()).rejects.toMatchObject({ code: 'wx_login_failed' });
  });
});
