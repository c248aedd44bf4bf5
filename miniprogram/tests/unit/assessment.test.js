jest.mock('../../utils/auth');
jest.mock('../../services/recognition', () => {
  const actual = jest.requireActual('../../services/recognition');
  const mocked = {};
  Object.keys(actual).forEach((key) => {
    mocked[key] = jest.fn();
  });
  return mocked;
});
jest.mock('../../services/upload');
jest.mock('../../services/activity');

const auth = require('../../utils/auth');
const recognition = require('../../services/recognition');
const upload = require('../../services/upload');
const activityService = require('../../services/activity');
const { load, render, flush, tap } = require('../helpers/simulate');
const { textOf } = require('../helpers/simulate');

beforeEach(() => {
  auth.ensureLogin.mockResolvedValue('token');
});

describe('admin scorecards', () => {
  let id;
  beforeAll(() => {
    id = load('subpackages/admin/pages/scorecards/index');
  });

  const page = (type, items, extra) => Object.assign({
    type,
    type_name: { volunteer: '志愿者', grid_worker: '网格员', village: '村（社区）' }[type],
    region: { id: 4, name: '龙津社区' },
    period_label: '2026年3月',
    items,
    total: items.length,
  }, extra);

  test('type tabs, period picker, table rows and export', async () => {
    recognition.scorecards
      .mockResolvedValueOnce(page('volunteer', [
        { id: 1, name: '钱**', region_name: '龙津社区', status: 'approved', service_hours: 2, activities_attended: 1, no_shows: 0, requests_resolved: 1, avg_rating: 4, points: 30 },
        { id: 2, name: '孙**', region_name: '龙津社区', status: 'suspended', service_hours: 0, activities_attended: 0, no_shows: 1, requests_resolved: 0, avg_rating: null, points: 10 },
      ]))
      .mockResolvedValueOnce(page('grid_worker', [
        { id: 9, name: '网格员赵敏', region_name: '龙津社区第1网格', requests_handled: 2, median_accept_minutes: 30, median_resolve_minutes: 2220, overdue: 2, duty_hours: 1, satisfaction: 4, score: 60 },
      ]))
      .mockResolvedValueOnce(page('grid_worker', [], { period_label: '2026年第1季度' }));
    recognition.exportScorecards.mockResolvedValue('tmp/x.xlsx');
    const comp = render(id);
    comp.instance.onLoad({ date: '2026-03-15' });
    await flush();
    expect(recognition.scorecards).toHaveBeenCalledWith(
      { type: 'volunteer', period: 'month', date: '2026-03-15', page: 1, page_size: 20 },
      { silent: true },
    );
    const rows = comp.querySelectorAll('.score-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].dom.textContent).toContain('钱**');
    expect(rows[0].dom.textContent).toContain('2h');
    expect(rows[1].dom.textContent).toContain('已暂停');
    expect(rows[1].dom.textContent).toContain('—'); // no rating
    expect(comp.querySelector('#header').dom.textContent).toContain('2026年3月');

    await tap(comp, '#type-grid_worker');
    await flush();
    expect(recognition.scorecards).toHaveBeenLastCalledWith(
      expect.objectContaining({ type: 'grid_worker', period: 'month' }),
      { silent: true },
    );
    const worker = comp.querySelector('.score-row').dom.textContent;
    expect(worker).toContain('60 分');
    expect(worker).toContain('2220分');

    comp.querySelector('#period').dispatchEvent('change', { detail: { value: '3' } });
    await flush();
    expect(recognition.scorecards).toHaveBeenLastCalledWith(
      expect.objectContaining({ type: 'grid_worker', period: 'quarter' }),
      { silent: true },
    );
    expect(comp.querySelector('.empty').dom.textContent).toBe('本期暂无数据');

    await tap(comp, '#export');
    await flush();
    expect(recognition.exportScorecards).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'grid_worker', period: 'quarter' }),
      'xlsx',
    );
  });

  test('village rows and a refusal', async () => {
    recognition.scorecards
      .mockResolvedValueOnce(page('village', [
        { id: 4, name: '龙津社区', region_id: 4, region_name: '龙津社区', township_name: '剑光街道', volunteers: 4, active_volunteers: 1, activities_held: 2, on_time_rate: 66.7, satisfaction: 4, fund_transparency: 50, requests_received: 4, score: 55.4 },
      ]))
      .mockRejectedValueOnce({ statusCode: 403, message: '无权操作' });
    const comp = render(id);
    comp.instance.onLoad({ type: 'village', date: '2026-03-15' });
    await flush();
    const text = comp.querySelector('.score-row').dom.textContent;
    expect(text).toContain('1/4');
    expect(text).toContain('66.7%');
    expect(text).toContain('55.4 分');
    expect(text).toContain('剑光街道'); // the village's township under its name
    comp.instance.loadPage(1);
    await flush();
    expect(comp.querySelector('#error').dom.textContent).toBe('仅管理员可查看考评');
  });
});

describe('bulletin detail of the assessment kinds', () => {
  let id;
  beforeAll(() => {
    id = load('pages/recognition/bulletin/index');
  });

  test('monthly: figures, chart images, rankings', async () => {
    recognition.bulletin.mockResolvedValue({
      id: 8,
      kind: 'monthly',
      kind_name: '月通报',
      title: '剑光街道2026年3月月通报',
      region_name: '剑光街道',
      published_at: '2026-04-01T08:00:00+08:00',
      content: {
        figures: { activities_held: 2, active_volunteers: 1, service_hours: 2, duty_hours: 1, requests_received: 4, requests_resolved: 3, on_time_rate: 66.7, satisfaction: 4, points: 40 },
        points_ranking: [{ rank: 1, display_name: '钱**', village_name: '龙津社区', points: 30 }],
        village_ranking: [{ rank: 1, id: 4, name: '龙津社区', score: 55.4, on_time_rate: 66.7 }],
        grid_worker_ranking: [{ rank: 1, user_id: 9, name: '网格员赵敏', score: 60, requests_handled: 2 }],
        charts: [
          { kind: 'points_ranking', title: '积分排行', url: '/api/v1/uploads/a.png' },
          { kind: 'trend', title: '近期走势', url: '/api/v1/uploads/b.png' },
        ],
      },
    });
    upload.localCopy.mockImplementation((url) => Promise.resolve(url.endsWith('a.png') ? 'tmp/a.png' : ''));
    wx.previewImage = jest.fn();
    const comp = render(id);
    await comp.instance.onLoad({ id: '8' });
    await flush();
    expect(comp.querySelector('#figures').dom.textContent).toContain('66.7%');
    expect(comp.querySelector('#figures').dom.textContent).toContain('2 小时');
    expect(upload.localCopy).toHaveBeenCalledTimes(2);
    const images = comp.querySelectorAll('.chart-image');
    expect(images).toHaveLength(1); // the trend could not be fetched: hidden, not broken
    images[0].dispatchEvent('tap');
    await flush();
    expect(wx.previewImage).toHaveBeenCalledWith({ current: 'tmp/a.png', urls: ['tmp/a.png'] });
    expect(comp.querySelectorAll('.points-row')).toHaveLength(1);
    expect(comp.querySelector('.village-row').dom.textContent).toContain('55.4');
    expect(comp.querySelector('.worker-row').dom.textContent).toContain('网格员赵敏');
  });

  test('weekly dispatch and quarterly talks', async () => {
    recognition.bulletin.mockResolvedValueOnce({
      id: 9,
      kind: 'weekly_dispatch',
      title: '龙津社区2026年第12周周调度',
      region_name: '龙津社区',
      published_at: '2026-03-16T08:00:00+08:00',
      content: {
        counts: { open: 2, overdue: 1, unaccepted: 1, by_tier: {} },
        last_week: { period_key: '2026-W11', received: 4, resolved: 2 },
        requests: [
          { id: 1, category_name: '隐患', status_name: '处理中', tier_name: '村（社区）', age_hours: 144, overdue: true },
          { id: 2, category_name: '求助', status_name: '待受理', tier_name: '乡镇（街道）', age_hours: 12.5, overdue: false },
        ],
      },
    });
    upload.localCopy.mockResolvedValue('');
    const weekly = render(id);
    await weekly.instance.onLoad({ id: '9' });
    await flush();
    expect(weekly.querySelector('#counts').dom.textContent).toContain('上周新收 4 件');
    const rows = weekly.querySelectorAll('.request');
    expect(rows).toHaveLength(2);
    expect(rows[0].dom.textContent).toContain('6 天');
    expect(rows[0].dom.textContent).toContain('超期');
    expect(rows[1].dom.textContent).toContain('12.5 小时');

    recognition.bulletin.mockResolvedValueOnce({
      id: 10,
      kind: 'quarterly_talks',
      title: '剑光街道2026年第1季度约谈名单',
      region_name: '剑光街道',
      published_at: '2026-04-01T09:00:00+08:00',
      content: { subjects: [
        { type: 'village', id: 5, name: '新城社区', score: 0 },
        { type: 'grid_worker', id: 5, name: '网格员赵敏', score: 60 },
      ] },
    });
    const talks = render(id);
    await talks.instance.onLoad({ id: '10' });
    await flush();
    const subjects = talks.querySelectorAll('.subject');
    expect(subjects).toHaveLength(2);
    expect(subjects[0].dom.textContent).toContain('综合得分 0');
    expect(subjects[1].dom.textContent).toContain('网格员');
  });
});

describe('service-hour certificate request', () => {
  let id;
  beforeAll(() => {
    id = load('pages/recognition/certificates/index');
  });

  test('申请服务时长证明 adds the certificate, or explains why not', async () => {
    recognition.myCertificates.mockResolvedValue({ items: [], total: 0 });
    recognition.requestServiceHoursCertificate
      .mockResolvedValueOnce({
        number: 'FW20260000002CD34',
        kind: 'service_hours',
        title: '志愿服务记录证明',
        content: '累计志愿服务时长4.2小时',
        issuer: '剑光街道综治中心',
        issued_at: '2026-04-02T10:00:00+08:00',
        status: 'valid',
        status_name: '有效',
      })
      .mockRejectedValueOnce({ statusCode: 409, code: 'no_service_hours', message: '暂无志愿服务时长记录' });
    wx.showModal = jest.fn();
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    await tap(comp, '#request-hours');
    await flush();
    expect(recognition.requestServiceHoursCertificate).toHaveBeenCalledWith({ silent: true });
    const certs = comp.querySelectorAll('.cert');
    expect(certs).toHaveLength(1);
    expect(certs[0].dom.textContent).toContain('志愿服务记录证明');
    await tap(comp, '#request-hours');
    await flush();
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '暂无志愿服务时长记录' }));
    expect(comp.querySelectorAll('.cert')).toHaveLength(1);
  });
});

describe('star level on my points', () => {
  test('stars from service hours, duty hours shown apart', async () => {
    const id = load('pages/recognition/points/index');
    recognition.myPoints.mockResolvedValue({ balance: 5, earned: 5, totals: {}, items: [], total: 0 });
    activityService.myHours.mockResolvedValue({
      star_level: 2, star_name: '二星', service_hours: 320.5, duty_hours: 12, hours_to_next_level: 279.5,
    });
    wx.navigateTo = jest.fn();
    const comp = render(id);
    comp.instance.onLoad({});
    await flush();
    const text = textOf(comp, '#level');
    expect(text).toContain('★★');
    expect(text).toContain('二星');
    expect(text).toContain('志愿服务 320.5 小时');
    expect(text).toContain('还差 279.5 小时');
    expect(text).toContain('在岗 12 小时（单独统计，不计入星级）');
    await tap(comp, '#level');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/hours/index' });
  });
});
