// Funds: money parsing, the service calls, the public pages and the admin pages.
const { parseYuan, formatYuan, formatSigned } = require('../../utils/money');
const { confirmModal } = require('../helpers/wx');
const { load, render, flush, tap } = require('../helpers/simulate');

jest.mock('../../services/fund', () => {
  const actual = jest.requireActual('../../services/fund');
  const mocked = {};
  Object.keys(actual).forEach((key) => {
    mocked[key] = ['newIdempotencyKey', 'fileUrl'].includes(key) ? actual[key] : jest.fn();
  });
  return mocked;
});
const fundService = require('../../services/fund');

describe('money', () => {
  test.each([
    ['12', 1200],
    ['12.3', 1230],
    ['0.07', 7],
    [' 100.00 ', 10000],
    ['99999999.99', 9999999999],
    ['100000000', 10000000000],
  ])('parseYuan(%p) = %p fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });

  test.each(['', '0', '0.00', '-1', '1.234', 'abc', '1e3', '100000000.01', '1,000', null, undefined])(
    'parseYuan(%p) is refused',
    (text) => {
      expect(parseYuan(text)).toBeNull();
    },
  );

  test('formatYuan never loses a fen', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(7)).toBe('0.07');
    expect(formatYuan(123456789)).toBe('1,234,567.89');
    expect(formatYuan(-5000)).toBe('-50.00');
    expect(formatYuan(19999999999)).toBe('199,999,999.99');
    expect(formatSigned(100000)).toBe('+1,000.00');
    expect(formatSigned(-1)).toBe('-0.01');
  });
});

describe('fund service', () => {
  const BASE = 'http://127.0.0.1:5000/api/v1';
  const real = jest.requireActual('../../services/fund');

  beforeEach(() => {
    wx.__store.set('sa_token', 'tok');
    wx.__setRequestHandler(() => ({ statusCode: 200, data: {} }));
  });

  function lastCall() {
    const { url, method, data, header } = wx.request.mock.calls[wx.request.mock.calls.length - 1][0];
    return { path: url.replace(BASE, ''), method, data, header };
  }

  test.each([
    [() => real.list({ page: 2 }), 'GET', '/funds', { page: 2 }],
    [() => real.get(3), 'GET', '/funds/3', undefined],
    [() => real.entries(3, { kind: 'donation' }), 'GET', '/funds/3/entries', { kind: 'donation' }],
    [() => real.statement(3, '2026-03'), 'GET', '/funds/3/statements', { month: '2026-03' }],
    [() => real.listExpenses({ actionable: true }), 'GET', '/expenses', { actionable: true }],
    [() => real.getExpense(8), 'GET', '/expenses/8', undefined],
    [() => real.submitDraft(8), 'POST', '/expenses/8/submit', {}],
    [() => real.approveExpense(8, ''), 'POST', '/expenses/8/approve', {}],
    [() => real.approveExpense(8, '同意'), 'POST', '/expenses/8/approve', { note: '同意' }],
    [() => real.rejectExpense(8, '超预算'), 'POST', '/expenses/8/reject', { reason: '超预算' }],
    [() => real.payExpense(8, { reference: 'ZZ01' }), 'POST', '/expenses/8/pay', { reference: 'ZZ01' }],
    [() => real.cancelExpense(8), 'POST', '/expenses/8/cancel', {}],
    [() => real.reverseEntry(5, '录错'), 'POST', '/fund-entries/5/reverse', { reason: '录错' }],
  ])('%#: %s → %s %s', async (call, method, path, data) => {
    await call();
    const sent = lastCall();
    expect(sent.method).toBe(method);
    expect(sent.path).toBe(path);
    if (data === undefined) expect(sent.data === undefined || sent.data === null).toBe(true);
    else expect(sent.data).toEqual(data);
  });

  test('donations and expenses carry the Idempotency-Key header', async () => {
    await real.recordDonation(3, { amount_fen: 100 }, 'key-1');
    expect(lastCall()).toMatchObject({ path: '/funds/3/donations', method: 'POST', data: { amount_fen: 100 } });
    expect(lastCall().header['Idempotency-Key']).toBe('key-1');
    expect(lastCall().header.Authorization).toBe('Bearer tok');
    await real.submitExpense(3, { amount_fen: 200 }, 'key-2');
    expect(lastCall().header['Idempotency-Key']).toBe('key-2');
    expect(real.newIdempotencyKey()).not.toBe(real.newIdempotencyKey());
  });

  test('uploadReceipt posts the file and returns its URL; fileUrl makes it absolute', async () => {
    wx.uploadFile = jest.fn((o) => o.success({ statusCode: 201, data: JSON.stringify({ url: '/api/v1/uploads/a.jpg' }) }));
    await expect(real.uploadReceipt('wxfile://tmp/1.jpg')).resolves.toBe('/api/v1/uploads/a.jpg');
    expect(wx.uploadFile.mock.calls[0][0]).toMatchObject({
      url: `${BASE}/uploads`,
      filePath: 'wxfile://tmp/1.jpg',
      name: 'file',
      header: { Authorization: 'Bearer tok' },
    });
    wx.uploadFile = jest.fn((o) => o.success({ statusCode: 413, data: '{"code":"payload_too_large","message":"上传内容过大"}' }));
    await expect(real.uploadReceipt('x')).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(real.fileUrl('/api/v1/uploads/a.jpg')).toBe('http://127.0.0.1:5000/api/v1/uploads/a.jpg');
  });
});

const FUND = {
  id: 3,
  name: '龙津社区平安基金',
  region_name: '龙津社区',
  status_name: '募集中',
  purpose: '巡逻装备',
  balance_fen: 88000,
  income_fen: 100000,
  in_kind_fen: 20000,
  raised_fen: 120000,
  expense_fen: 12000,
  target_fen: 500000,
  progress_percent: 24,
  can_manage: false,
};

const ENTRIES = [
  { id: 9, kind: 'expense', category_name: '装备物资', purpose: '手电筒', payee: '五金店', amount_fen: 12000, signed_amount_fen: -12000, booked_at: '2026-03-15T12:00:00+08:00' },
  { id: 8, kind: 'donation', donor_name: '张**', channel_name: '微信转账', amount_fen: 100000, signed_amount_fen: 100000, booked_at: '2026-03-01T09:00:00+08:00', reversed_by_id: null },
  { id: 7, kind: 'donation', donor_name: '匿名', in_kind: true, item_description: '雨衣 10 件', amount_fen: 20000, signed_amount_fen: 0, booked_at: '2026-03-01T08:00:00+08:00' },
];

describe('fund list page', () => {
  let id;
  beforeAll(() => {
    id = load('pages/fund/list/index');
  });

  test('shows balances and progress bars, pages on scroll, opens a fund', async () => {
    const funds = Array.from({ length: 20 }, (_, i) => Object.assign({}, FUND, { id: i + 1 }));
    fundService.list
      .mockResolvedValueOnce({ items: funds, total: 21 })
      .mockResolvedValueOnce({ items: [Object.assign({}, FUND, { id: 21, target_fen: null, progress_percent: null })], total: 21 });
    const comp = render(id);
    comp.instance.onLoad();
    await flush();
    expect(fundService.list).toHaveBeenCalledWith({ page: 1, page_size: 20 });
    expect(comp.querySelectorAll('.fund')).toHaveLength(20);
    const first = comp.querySelector('.fund').dom;
    expect(first.textContent).toContain('¥880.00');
    expect(first.textContent).toContain('24%');
    expect(comp.querySelectorAll('.progress-bar')[0].dom.getAttribute('style')).toContain('width: 24%');
    comp.instance.onReachBottom();
    await flush();
    expect(comp.querySelectorAll('.fund')).toHaveLength(21);
    expect(comp.querySelectorAll('.progress')).toHaveLength(20); // no target, no bar
    expect(comp.data.finished).toBe(true);
    await tap(comp, '.fund');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/fund/detail/index?id=1' });
  });
});

describe('fund detail page', () => {
  let id;
  beforeAll(() => {
    id = load('pages/fund/detail/index');
  });

  const STATEMENT = {
    month: '2026-03',
    months: ['2026-04', '2026-03'],
    opening_balance_fen: 50000,
    income_fen: 20000,
    in_kind_fen: 8000,
    expense_fen: 3000,
    closing_balance_fen: 67000,
    donation_count: 2,
    expense_count: 1,
    expense_by_category: [{ category: 'meals', category_name: '志愿者餐补', amount_fen: 3000 }],
    entries: ENTRIES.slice(1),
  };

  async function open(fund) {
    fundService.get.mockResolvedValue(fund);
    fundService.entries.mockResolvedValue({ items: ENTRIES, total: 3 });
    const comp = render(id);
    comp.instance.onLoad({ id: '3' });
    await flush();
    return comp;
  }

  test('a resident reads the public ledger and the monthly statement', async () => {
    const comp = await open(FUND);
    expect(fundService.entries).toHaveBeenCalledWith('3', { page: 1, page_size: 20 });
    expect(comp.querySelector('#balance').dom.textContent).toBe('¥880.00');
    const lines = comp.querySelectorAll('.entry').map((e) => e.dom.textContent);
    expect(lines[0]).toContain('装备物资 · 手电筒');
    expect(lines[0]).toContain('-120.00');
    expect(lines[1]).toContain('张** 捐赠');
    expect(lines[1]).toContain('+1,000.00');
    expect(lines[2]).toContain('匿名 捐赠物资');
    expect(lines[2]).toContain('物资估值 200.00');
    expect(comp.querySelector('.admin')).toBeFalsy();

    fundService.statement.mockResolvedValueOnce(Object.assign({}, STATEMENT, { month: '2026-04' }));
    await tap(comp, '#tab-statement');
    await flush();
    expect(fundService.statement).toHaveBeenCalledWith('3', undefined);
    fundService.statement.mockResolvedValueOnce(STATEMENT);
    comp.instance.onMonthChange({ detail: { value: '1' } });
    await flush();
    expect(fundService.statement).toHaveBeenLastCalledWith('3', '2026-03');
    expect(comp.querySelector('#closing').dom.textContent).toBe('¥670.00');
    expect(comp.querySelector('#statement').dom.textContent).toContain('志愿者餐补');
    expect(comp.querySelectorAll('.statement-line')).toHaveLength(2);
  });

  test('an admin of the fund gets the admin actions', async () => {
    const comp = await open(Object.assign({}, FUND, { can_manage: true }));
    await tap(comp, '#admin-donation');
    await flush();
    expect(wx.navigateTo).toHaveBeenLastCalledWith({
      url: `/subpackages/admin/pages/funds/donation/index?fund_id=3&name=${encodeURIComponent(FUND.name)}`,
    });
    await tap(comp, '#admin-approvals');
    await flush();
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/admin/pages/funds/approvals/index?fund_id=3' });
  });

  test('an unknown fund shows not found', async () => {
    fundService.get.mockRejectedValue({ statusCode: 404, code: 'fund_not_found' });
    const comp = render(id);
    comp.instance.onLoad({ id: '99' });
    await flush();
    expect(comp.dom.textContent).toContain('未找到该基金');
  });
});

describe('record a donation', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/funds/donation/index');
  });

  function open() {
    const comp = render(id);
    comp.instance.onLoad({ fund_id: '3', name: encodeURIComponent('龙津社区平安基金') });
    return comp;
  }

  function type(comp, selector, value) {
    comp.querySelector(selector).dispatchEvent('input', { detail: { value } });
  }

  test('amounts are checked before sending; the donation goes out in fen with one key', async () => {
    const comp = open();
    type(comp, '#amount', '12.345');
    await tap(comp, '#submit');
    await flush();
    expect(fundService.recordDonation).not.toHaveBeenCalled();
    expect(comp.querySelector('#error-amount').dom.textContent).toContain('金额');
    expect(comp.querySelector('#error-donor_name')).toBeTruthy();

    type(comp, '#amount', '200.5');
    type(comp, '#donor', '张三丰');
    type(comp, '#receipt', 'SJ-001');
    fundService.recordDonation
      .mockRejectedValueOnce({ code: 'network_error', message: '网络异常' })
      .mockResolvedValueOnce({ id: 8 });
    await tap(comp, '#submit');
    await flush();
    const [fundId, body, key] = fundService.recordDonation.mock.calls[0];
    expect(fundId).toBe('3');
    expect(body).toMatchObject({ amount_fen: 20050, donor_name: '张三丰', donor_type: 'person', channel: 'wechat_transfer', receipt_no: 'SJ-001', anonymous: false, in_kind: false });
    // the retry after a network failure reuses the key: the server records it once
    await tap(comp, '#submit');
    await flush();
    expect(fundService.recordDonation.mock.calls[1][2]).toBe(key);
    expect(wx.showToast).toHaveBeenLastCalledWith({ title: '捐赠已入账', icon: 'success' });
    await new Promise((resolve) => setTimeout(resolve, 850));
    expect(wx.navigateBack).toHaveBeenCalled();
  });

  test('anonymous in-kind gift; server field errors are shown', async () => {
    const comp = open();
    type(comp, '#amount', '300');
    comp.querySelector('#anonymous').dispatchEvent('change', { detail: { value: true } });
    comp.querySelector('#in-kind').dispatchEvent('change', { detail: { value: true } });
    await flush();
    type(comp, '#item', '灭火器 3 个');
    fundService.recordDonation.mockRejectedValueOnce({
      code: 'duplicate_receipt',
      message: '该收据号已在本基金登记',
      errors: { receipt_no: ['收据号重复'] },
      statusCode: 409,
    });
    await tap(comp, '#submit');
    await flush();
    const body = fundService.recordDonation.mock.calls[0][1];
    expect(body).toMatchObject({ amount_fen: 30000, anonymous: true, in_kind: true, item_description: '灭火器 3 个' });
    expect(body.channel).toBeUndefined();
    expect(comp.querySelector('#error-receipt_no').dom.textContent).toBe('收据号重复');
  });
});

describe('submit an expense with receipt photos', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/funds/expense/index');
  });

  test('photos upload first; the expense carries their URLs', async () => {
    wx.chooseMedia = jest.fn((o) => o.success({ tempFiles: [{ tempFilePath: 'tmp/1.jpg' }, { tempFilePath: 'tmp/2.jpg' }] }));
    fundService.uploadReceipt.mockImplementation((p) => Promise.resolve(`/api/v1/uploads/${p.slice(4)}`));
    fundService.submitExpense.mockResolvedValue({ id: 5, status: 'pending' });
    const comp = render(id);
    comp.instance.onLoad({ fund_id: '3' });
    comp.querySelector('#amount').dispatchEvent('input', { detail: { value: '356.8' } });
    comp.querySelector('#purpose').dispatchEvent('input', { detail: { value: '购买手电筒' } });
    comp.querySelector('#payee').dispatchEvent('input', { detail: { value: '五金店' } });
    await tap(comp, '#submit');
    await flush();
    expect(fundService.submitExpense).not.toHaveBeenCalled();
    expect(comp.querySelector('#error-attachments').dom.textContent).toContain('票据');

    await tap(comp, '#add-photo');
    await flush();
    expect(fundService.uploadReceipt.mock.calls.map((c) => c[0])).toEqual(['tmp/1.jpg', 'tmp/2.jpg']);
    expect(comp.querySelectorAll('.photo-img')).toHaveLength(2);
    await tap(comp, '#submit');
    await flush();
    const [fundId, body, key] = fundService.submitExpense.mock.calls[0];
    expect(fundId).toBe('3');
    expect(key).toMatch(/^mp-/);
    expect(body).toEqual({
      amount_fen: 35680,
      category: 'equipment',
      purpose: '购买手电筒',
      payee: '五金店',
      payee_type: 'company',
      note: '',
      attachments: ['/api/v1/uploads/1.jpg', '/api/v1/uploads/2.jpg'],
      draft: false,
    });
  });
});

describe('approval queue', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/funds/approvals/index');
  });

  const PENDING = {
    id: 5,
    fund_name: '龙津社区平安基金',
    amount_fen: 12000,
    category_name: '装备物资',
    purpose: '手电筒',
    payee: '五金店',
    status: 'pending',
    submitted_by_name: '陈会长',
    attachments: ['/api/v1/uploads/1.jpg'],
    actions: ['approve', 'reject', 'cancel'],
  };

  async function open(items, options) {
    fundService.listExpenses.mockResolvedValue({ items, total: items.length });
    const comp = render(id);
    comp.instance.onLoad(options || {});
    await flush();
    return comp;
  }

  test('approve, then pay; each button comes from the server', async () => {
    const comp = await open([PENDING], { fund_id: '3' });
    expect(fundService.listExpenses).toHaveBeenCalledWith({ actionable: true, fund_id: '3', page: 1, page_size: 20 });
    expect(comp.querySelector('.expense').dom.textContent).toContain('¥120.00');
    expect(comp.querySelectorAll('.action').map((a) => a.dom.textContent)).toEqual(['批准', '驳回', '撤销']);
    wx.showModal = confirmModal('同意购买');
    fundService.approveExpense.mockResolvedValue(Object.assign({}, PENDING, { status: 'approved', actions: ['pay', 'cancel'] }));
    await tap(comp, '#action-approve-5');
    await flush();
    expect(fundService.approveExpense).toHaveBeenCalledWith(5, '同意购买');
    expect(comp.querySelector('.tag').dom.textContent).toBe('已批准');
    wx.showModal = confirmModal('ZZ-01');
    fundService.payExpense.mockResolvedValue(Object.assign({}, PENDING, { status: 'paid', actions: [] }));
    await tap(comp, '#action-pay-5');
    await flush();
    expect(fundService.payExpense).toHaveBeenCalledWith(5, { reference: 'ZZ-01' });
    expect(comp.querySelectorAll('.expense')).toHaveLength(0); // done: leaves "待我处理"
  });

  test('reject needs a reason; cancelling the modal does nothing; a 409 reloads', async () => {
    const comp = await open([PENDING]);
    wx.showModal = jest.fn((o) => o.success({ confirm: false, cancel: true }));
    await tap(comp, '#action-reject-5');
    await flush();
    wx.showModal = confirmModal('');
    await tap(comp, '#action-reject-5');
    await flush();
    expect(fundService.rejectExpense).not.toHaveBeenCalled();
    expect(wx.showToast).toHaveBeenLastCalledWith({ title: '请填写驳回原因', icon: 'none' });
    wx.showModal = confirmModal('超出预算');
    fundService.rejectExpense.mockRejectedValue({ statusCode: 409, code: 'invalid_transition' });
    await tap(comp, '#action-reject-5');
    await flush();
    expect(fundService.rejectExpense).toHaveBeenCalledWith(5, '超出预算');
    expect(fundService.listExpenses).toHaveBeenCalledTimes(2);
  });

  test('tabs query by status or by submitter', async () => {
    const comp = await open([]);
    await tap(comp, '#tab-approved');
    await flush();
    expect(fundService.listExpenses).toHaveBeenLastCalledWith({ status: 'approved', page: 1, page_size: 20 });
    await tap(comp, '#tab-mine');
    await flush();
    expect(fundService.listExpenses).toHaveBeenLastCalledWith({ mine: true, page: 1, page_size: 20 });
    expect(comp.dom.textContent).toContain('暂无支出');
  });
});
