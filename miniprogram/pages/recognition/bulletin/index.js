const share = require('../../../utils/share');
const recognition = require('../../../services/recognition');
const upload = require('../../../services/upload');
const { BULLETIN_KIND_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');

function pct(value) {
  return value === null || value === undefined ? '—' : `${value}%`;
}

function num(value) {
  return value === null || value === undefined ? '—' : String(value);
}

// Key figures of a 月通报 / 年考评, in the order people read them.
function figureRows(figures) {
  if (!figures) return [];
  return [
    { label: '开展活动', value: `${num(figures.activities_held)} 次` },
    { label: '参与志愿者', value: `${num(figures.active_volunteers)} 人` },
    { label: '志愿服务时长', value: `${num(figures.service_hours)} 小时` },
    { label: '在岗时长', value: `${num(figures.duty_hours)} 小时` },
    { label: '收到服务请求', value: `${num(figures.requests_received)} 件` },
    { label: '办结服务请求', value: `${num(figures.requests_resolved)} 件` },
    { label: '按期办结率', value: pct(figures.on_time_rate) },
    { label: '满意度', value: figures.satisfaction === null || figures.satisfaction === undefined ? '—' : `${figures.satisfaction} / 5` },
    { label: '获得积分', value: `${num(figures.points)} 分` },
  ];
}

// The parts of a bulletin's content the page knows how to show, by kind.
function sections(bulletin) {
  const content = bulletin.content || {};
  const empty = {
    ranking: [],
    subjects: [],
    figures: [],
    villages: [],
    workers: [],
    requests: [],
    counts: null,
    lastWeek: null,
    charts: [],
  };
  if (bulletin.kind === 'daily_best') {
    return Object.assign(empty, { ranking: content.entries || [] });
  }
  if (bulletin.kind === 'quarterly_talks') {
    const subjects = (content.subjects || []).map((s) => Object.assign({}, s, {
      typeText: s.type === 'village' ? '村（社区）' : '网格员',
      scoreText: num(s.score),
      key: `${s.type}-${s.id}`,
    }));
    return Object.assign(empty, { subjects });
  }
  if (bulletin.kind === 'weekly_dispatch') {
    const requests = (content.requests || []).map((r) => Object.assign({}, r, {
      ageText: r.age_hours >= 48 ? `${Math.floor(r.age_hours / 24)} 天` : `${r.age_hours} 小时`,
    }));
    return Object.assign(empty, {
      requests,
      counts: content.counts || null,
      lastWeek: content.last_week || null,
    });
  }
  if (bulletin.kind === 'monthly' || bulletin.kind === 'annual') {
    return Object.assign(empty, {
      ranking: content.points_ranking || [],
      figures: figureRows(content.figures),
      villages: (content.village_ranking || []).map((v) => Object.assign({}, v, {
        scoreText: num(v.score),
        onTimeText: pct(v.on_time_rate),
      })),
      workers: (content.grid_worker_ranking || []).map((w) => Object.assign({}, w, {
        scoreText: num(w.score),
      })),
      // Chart images are fetched with the token; shown once a local copy exists.
      charts: (content.charts || []).map((c) => Object.assign({}, c, { src: '' })),
    });
  }
  return Object.assign(empty, { ranking: content.ranking || content.entries || [] });
}

Component({
  data: {
    bulletin: null,
    kindText: '',
    timeText: '',
    ranking: [],
    subjects: [],
    figures: [],
    villages: [],
    workers: [],
    requests: [],
    counts: null,
    lastWeek: null,
    charts: [],
    notFound: false,
  },

  methods: {
    async onLoad(options) {
      const id = options && options.id;
      this._id = id;
      share.enable();
      if (!id) {
        this.setData({ notFound: true });
        return;
      }
      let bulletin;
      try {
        bulletin = await recognition.bulletin(id, { auth: false, silent: true });
      } catch (e) {
        this.setData({ notFound: true });
        return;
      }
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: bulletin.title });
      const parts = sections(bulletin);
      this.setData(Object.assign({
        bulletin,
        kindText: bulletin.kind_name || BULLETIN_KIND_LABELS[bulletin.kind] || '',
        timeText: formatDateTime(bulletin.published_at),
      }, parts));
      await this.loadCharts(parts.charts);
    },

    // A bulletin shared to a chat or Moments opens here for anyone (public).
    onShareAppMessage() {
      const b = this.data.bulletin;
      return share.toChat(b ? `${this.data.kindText}｜${b.title}` : '平安大联盟通报', '/pages/recognition/bulletin/index', { id: this._id });
    },

    onShareTimeline() {
      const b = this.data.bulletin;
      return share.toTimeline(b ? `${this.data.kindText}｜${b.title}` : '平安大联盟通报', { id: this._id });
    },

    async loadCharts(charts) {
      const copies = await Promise.all(charts.map((c) => upload.localCopy(c.url)));
      this.setData({
        charts: charts.map((c, i) => Object.assign({}, c, { src: copies[i] || '' })),
      });
    },

    onChartTap(e) {
      const { src } = e.currentTarget.dataset;
      if (!src) return;
      const urls = this.data.charts.map((c) => c.src).filter(Boolean);
      wx.previewImage({ current: src, urls });
    },
  },
});
