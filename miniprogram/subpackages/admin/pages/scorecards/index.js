const auth = require('../../../../utils/auth');
const recognition = require('../../../../services/recognition');

const PAGE_SIZE = 20;
const TYPES = [
  { key: 'volunteer', label: '志愿者' },
  { key: 'grid_worker', label: '网格员' },
  { key: 'village', label: '村（社区）' },
];
const PERIODS = [
  { key: 'day', label: '日' },
  { key: 'week', label: '周' },
  { key: 'month', label: '月' },
  { key: 'quarter', label: '季' },
  { key: 'year', label: '年' },
];

function dash(value, suffix) {
  return value === null || value === undefined ? '—' : `${value}${suffix || ''}`;
}

// The columns of each type: [label, text] pairs shown under the row's name.
function cells(type, row) {
  if (type === 'volunteer') {
    return [
      ['服务时长', dash(row.service_hours, 'h')],
      ['活动', dash(row.activities_attended)],
      ['缺席', dash(row.no_shows)],
      ['办结', dash(row.requests_resolved)],
      ['评分', dash(row.avg_rating)],
      ['积分', dash(row.points)],
    ];
  }
  if (type === 'grid_worker') {
    return [
      ['办结', dash(row.requests_handled)],
      ['受理中位', dash(row.median_accept_minutes, '分')],
      ['办结中位', dash(row.median_resolve_minutes, '分')],
      ['超期', dash(row.overdue)],
      ['在岗', dash(row.duty_hours, 'h')],
      ['满意度', dash(row.satisfaction)],
    ];
  }
  return [
    ['活跃/志愿者', `${row.active_volunteers}/${row.volunteers}`],
    ['活动', dash(row.activities_held)],
    ['按期办结', dash(row.on_time_rate, '%')],
    ['满意度', dash(row.satisfaction)],
    ['经费公开', dash(row.fund_transparency, '%')],
    ['收到请求', dash(row.requests_received)],
  ];
}

function present(type, row) {
  return {
    key: `${type}-${row.id}`,
    name: row.name,
    sub: (type === 'village' ? row.township_name : row.region_name) || '',
    score: type === 'volunteer' ? '' : dash(row.score),
    suspended: row.status === 'suspended',
    cells: cells(type, row).map(([label, text]) => ({ label, text })),
  };
}

function today() {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // China date
  return now.toISOString().slice(0, 10);
}

Component({
  data: {
    types: TYPES,
    periods: PERIODS,
    type: 'volunteer',
    periodIndex: 2,
    date: '',
    regionId: '',
    header: null,
    rows: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    error: '',
  },

  methods: {
    onLoad(options) {
      const opts = options || {};
      const type = TYPES.some((t) => t.key === opts.type) ? opts.type : 'volunteer';
      this.setData({ type, date: opts.date || today(), regionId: opts.region_id || '' });
      this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    query(page) {
      const q = {
        type: this.data.type,
        period: PERIODS[this.data.periodIndex].key,
        date: this.data.date,
        page,
        page_size: PAGE_SIZE,
      };
      if (this.data.regionId) q.region_id = this.data.regionId;
      return q;
    },

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true, error: '' });
      try {
        await auth.ensureLogin();
        const type = this.data.type;
        const res = await recognition.scorecards(this.query(page), { silent: true });
        const fresh = (res.items || []).map((row) => present(type, row));
        const rows = page === 1 ? fresh : this.data.rows.concat(fresh);
        this.setData({
          header: {
            region: (res.region && res.region.name) || '',
            label: res.period_label || '',
            typeName: res.type_name || '',
          },
          rows,
          page,
          total: res.total || 0,
          finished: rows.length >= (res.total || 0) || fresh.length < PAGE_SIZE,
        });
      } catch (err) {
        const message = err && err.statusCode === 403 ? '仅管理员可查看考评' : (err && err.message) || '加载失败';
        this.setData({ error: message, rows: page === 1 ? [] : this.data.rows });
      } finally {
        this.setData({ loading: false });
      }
    },

    onTypeTap(e) {
      const { type } = e.currentTarget.dataset;
      if (type === this.data.type) return;
      this.setData({ type, rows: [], page: 0 });
      this.loadPage(1);
    },

    onPeriodChange(e) {
      this.setData({ periodIndex: Number(e.detail.value), rows: [], page: 0 });
      this.loadPage(1);
    },

    onDateChange(e) {
      this.setData({ date: e.detail.value, rows: [], page: 0 });
      this.loadPage(1);
    },

    async onExportTap() {
      try {
        wx.showLoading({ title: '正在导出' });
        await recognition.exportScorecards(this.query(1), 'xlsx');
      } catch (err) {
        wx.showToast({ title: (err && err.message) || '导出失败', icon: 'none' });
      } finally {
        wx.hideLoading();
      }
    },
  },
});
