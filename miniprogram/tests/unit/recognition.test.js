jest.mock('../../utils/auth');
jest.mock('../../services/recognition');
jest.mock('../../services/region');

const auth = require('../../utils/auth');
const recognition = require('../../services/recognition');
const regionService = require('../../services/region');
const { load, render, flush, tap } = require('../helpers/simulate');

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
  auth.getUser.mockReturnValue({ id: 7, region_id: 9, volunteer: { region_id: 9 } });
});

describe('my points', () => {
  let id;
  beforeAll(() => {
    id = load('pages/recognition/points/index');
  });

  test('shows balance, period totals and a paged ledger', async () => {
    const entries = (from, n) => Array.from({ length: n }, (_, i) => ({
      id: from + i,
      amount: i === 0 ? -2 : 5,
      source_type: i === 0 ? 'adjustment' : 'activity',
      source_name: i === 0 ? '人工调整' : '参加活动',
      reason: '测试',
      created_at: '2026-03-10T02:00:00+08:00',
    }));
    recognition.myPoints
      .mockResolvedValueOnce({
        balance: 16,
        earned: 18,
        totals: { day: 1, week: 6, month: 16, quarter: 16, year: 16, all: 16 },
        items: entries(1, 20),
        total: 22,
      })
      .mockResolvedValueOnce({ balance: 16, earned: 18, totals: {}, items: entries(21, 2), total: 22 });
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(recognition.myPoints).toHaveBeenCalledWith({ page: 1, page_size: 20 });
    expect(comp.querySelector('#balance').dom.textContent).toBe('16');
    expect(comp.querySelector('#total-week').dom.textContent).toBe('6');
    expect(comp.querySelectorAll('.entry')).toHaveLength(20);
    expect(comp.querySelector('.amount').dom.textContent).toBe('-2');
    comp.instance.onReachBottom();
    await flush();
    expect(recognition.myPoints).toHaveBeenLastCalledWith({ page: 2, page_size: 20 });
    expect(comp.querySelectorAll('.entry')).toHaveLength(22);
    expect(comp.data.finished).toBe(true);
  });
});

describe('leaderboard', () => {
  let id;
  beforeAll(() => {
    id = load('pages/recognition/leaderboard/index');
  });

  const BOARD = {
    region: { id: 9, name: '龙津社区', level: 'village' },
    period_label: '2026年3月',
    items: [
      { rank: 1, user_id: 3, display_name: '乙*', village_name: '龙津社区', points: 10 },
      { rank: 2, user_id: 7, display_name: '甲*', village_name: '龙津社区', points: 10 },
    ],
    total: 2,
    me: { rank: 2, points: 10 },
  };

  test('village, township and city scopes; period tabs; my rank', async () => {
    regionService.getRegion.mockResolvedValue({ id: 9, name: '龙津社区', level: 'village', parent_id: 4 });
    recognition.leaderboard.mockResolvedValue(BOARD);
    const comp = render(id);
    await comp.instance.onLoad({});
    await flush();
    expect(comp.querySelectorAll('.scope').map((s) => s.dom.textContent)).toEqual(['龙津社区', '本乡镇', '全市']);
    expect(recognition.leaderboard).toHaveBeenLastCalledWith({ region_id: 9, period: 'month', page: 1, page_size: 50 });
    expect(comp.querySelectorAll('.row-item')).toHaveLength(2);
    expect(comp.querySelector('#me').dom.textContent).toContain('第 2 名');
    expect(comp.querySelector('.rank').dom.className).toContain('medal-1');

    comp.instance.onPeriodChange({ detail: { value: 'week' } }); // t-tabs' change
    await flush();
    expect(recognition.leaderboard).toHaveBeenLastCalledWith({ region_id: 9, period: 'week', page: 1, page_size: 50 });
    expect(comp.data.period).toBe('week');
    expect(comp.dom.textContent).toContain('周榜');

    recognition.leaderboard.mockResolvedValue(Object.assign({}, BOARD, { me: null }));
    await tap(comp, '#scope-township');
    await flush();
    expect(recognition.leaderboard).toHaveBeenLastCalledWith({ region_id: 4, period: 'week', page: 1, page_size: 50 });
    expect(comp.querySelector('#me')).toBeFalsy();
    expect(comp.querySelector('#me-none')).toBeTruthy();

    await tap(comp, '#scope-city');
    await flush();
    expect(recognition.leaderboard).toHaveBeenLastCalledWith({ region_id: null, period: 'week', page: 1, page_size: 50 });
  });

  test('without a village only the city board is offered', async () => {
    auth.getUser.mockReturnValue({ id: 8, region_id: null, volunteer: null });
    recognition.leaderboard.mockResolvedValue(Object.assign({}, BOARD, { items: [], total: 0, me: null }));
    const comp = render(id);
    await comp.instance.onLoad({ period: 'all' });
    await flush();
    expect(comp.querySelectorAll('.scope')).toHaveLength(1);
    expect(recognition.leaderboard).toHaveBeenLastCalledWith({ region_id: null, period: 'all', page: 1, page_size: 50 });
    expect(comp.dom.textContent).toContain('本期暂无上榜志愿者');
  });
});

describe('certificates', () => {
  let id;
  beforeAll(() => {
    id = load('pages/recognition/certificates/index');
  });

  const CERT = {
    number: 'RY20260000001AB12',
    title: '荣誉证书',
    holder_name: '林**',
    content: '被评为“月度平安之星”',
    issuer: '剑光街道综治中心',
    issued_at: '2026-03-10T10:00:00+08:00',
    status: 'valid',
    status_name: '有效',
  };

  test('lists my certificates and opens the PDF', async () => {
    recognition.myCertificates.mockResolvedValue({ items: [CERT], total: 1 });
    recognition.certificatePdfUrl.mockReturnValue('http://api/certificates/RY20260000001AB12/pdf');
    wx.downloadFile = jest.fn((o) => o.success({ statusCode: 200, tempFilePath: 'tmp/cert.pdf' }));
    wx.openDocument = jest.fn((o) => o.success());
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(comp.querySelectorAll('.cert')).toHaveLength(1);
    // The list opens the certificate's own page (verification, PDF, sharing) …
    await tap(comp, '.cert');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/recognition/certificate/index?number=RY20260000001AB12' });
    // … and the PDF opens from there.
    await comp.instance.onPdfTap({ currentTarget: { dataset: { number: 'RY20260000001AB12' } } });
    await flush();
    expect(wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: 'http://api/certificates/RY20260000001AB12/pdf' }));
    expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'tmp/cert.pdf', fileType: 'pdf' }));
  });

  test('a failed download says so', async () => {
    recognition.myCertificates.mockResolvedValue({ items: [CERT], total: 1 });
    wx.downloadFile = jest.fn((o) => o.success({ statusCode: 404 }));
    wx.openDocument = jest.fn();
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    await comp.instance.onPdfTap({ currentTarget: { dataset: { number: 'RY20260000001AB12' } } });
    await flush();
    expect(wx.openDocument).not.toHaveBeenCalled();
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '证书打开失败，请稍后重试' }));
  });

  test('verifies a number: valid, revoked, unknown', async () => {
    recognition.myCertificates.mockResolvedValue({ items: [], total: 0 });
    recognition.verifyCertificate
      .mockResolvedValueOnce(CERT)
      .mockResolvedValueOnce(Object.assign({}, CERT, { status: 'revoked', revoke_reason: '事迹不实' }))
      .mockRejectedValueOnce({ statusCode: 404, code: 'certificate_not_found', message: '证书编号不存在' });
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    await tap(comp, '#verify');
    await flush();
    expect(comp.querySelector('#verify-error').dom.textContent).toBe('请输入证书编号');
    comp.querySelector('#number').dispatchEvent('input', { detail: { value: ' RY20260000001AB12 ' } });
    await tap(comp, '#verify');
    await flush();
    expect(recognition.verifyCertificate).toHaveBeenCalledWith('RY20260000001AB12', { auth: false, silent: true });
    expect(comp.querySelector('#verified-status').dom.textContent.trim()).toBe('证书有效');
    await tap(comp, '#verify');
    await flush();
    expect(comp.querySelector('#verified-status').dom.textContent.trim()).toBe('该证书已撤销');
    expect(comp.dom.textContent).toContain('事迹不实');
    await tap(comp, '#verify');
    await flush();
    expect(comp.querySelector('#verified')).toBeFalsy();
    expect(comp.querySelector('#verify-error').dom.textContent).toBe('未查到该证书，请核对编号');
  });
});

describe('honour roll and bulletins', () => {
  test('honour roll filters by tier and links to the certificate', async () => {
    const id = load('pages/recognition/honours/index');
    recognition.honours.mockResolvedValue({
      items: [{ id: 1, title: '月度平安之星', tier: 'village', tier_name: '村级', target_name: '林**', region_name: '龙津社区', period_label: '2026年3月', awarded_at: '2026-03-10T10:00:00+08:00', certificate_number: 'RY1' }],
      total: 1,
    });
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    expect(recognition.honours).toHaveBeenCalledWith({ tier: '', page: 1, page_size: 20 }, { auth: false });
    expect(comp.querySelector('.honour').dom.textContent).toContain('林**');
    await comp.instance.onTierChange({ detail: { value: 'city' } });
    await flush();
    expect(recognition.honours).toHaveBeenLastCalledWith({ tier: 'city', page: 1, page_size: 20 }, { auth: false });
    await tap(comp, '.honour');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/recognition/certificate/index?number=RY1' });
    expect(comp.instance.onShareAppMessage()).toEqual({ title: '平安大联盟光荣榜', path: '/pages/recognition/honours/index' });
  });

  test('bulletin list by kind and the daily-best detail', async () => {
    const listId = load('pages/recognition/bulletins/index');
    recognition.bulletins.mockResolvedValue({
      items: [{ id: 5, kind: 'daily_best', kind_name: '日评优', title: '剑光街道2026年3月9日日评优', summary: '前2名', published_at: '2026-03-10T00:10:00+08:00' }],
      total: 1,
    });
    const list = render(listId);
    list.instance.onLoad({ kind: 'daily_best' });
    await flush();
    expect(recognition.bulletins).toHaveBeenCalledWith({ kind: 'daily_best', page: 1, page_size: 20 }, { auth: false });
    await tap(list, '.bulletin');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/recognition/bulletin/index?id=5' });

    const detailId = load('pages/recognition/bulletin/index');
    recognition.bulletin.mockResolvedValue({
      id: 5,
      kind: 'daily_best',
      title: '剑光街道2026年3月9日日评优',
      region_name: '剑光街道',
      published_at: '2026-03-10T00:10:00+08:00',
      content: { entries: [{ rank: 1, display_name: '冠*', village_name: '龙津社区', points: 8 }] },
    });
    const detail = render(detailId);
    await detail.instance.onLoad({ id: '5' });
    await flush();
    expect(detail.querySelector('#title').dom.textContent).toContain('日评优');
    expect(detail.querySelectorAll('.rank-row')).toHaveLength(1);
    expect(detail.dom.textContent).toContain('冠*');

    recognition.bulletin.mockRejectedValue({ statusCode: 404 });
    const missing = render(detailId);
    await missing.instance.onLoad({ id: '999' });
    await flush();
    expect(missing.querySelector('#not-found')).toBeTruthy();
  });
});
