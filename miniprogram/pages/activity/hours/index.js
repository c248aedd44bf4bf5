const activityService = require('../../../services/activity');
const { ACTIVITY_CATEGORY_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');
const { hoursText } = require('../../../utils/activity');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const STAR_THRESHOLDS = [100, 300, 600, 1000, 1500];

function presentRecord(r) {
  let method = '';
  if (r.checkout_method === 'auto') method = '系统自动签退';
  else if (r.checkin_method === 'manual' || r.checkout_method === 'manual') method = '组织者代签';
  return {
    id: r.id,
    title: r.activity_title,
    category: ACTIVITY_CATEGORY_LABELS[r.activity_category] || '',
    date: formatDateTime(r.activity_start_at),
    hours: r.checkout_at ? hoursText(r.served_minutes) : '未签退',
    kind: r.hours_kind === 'duty' ? '在岗' : '志愿服务',
    points: r.points,
    note: [method, r.correction_reason ? `已更正：${r.correction_reason}` : ''].filter(Boolean).join(' · '),
  };
}

Component({
  behaviors: [pagedList],

  data: {
    summary: null,
    stars: '',
    progress: 0,
    nextText: '',
    records: [],
    itemsKey: 'records',
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad() {
      this.loadPage(1);
    },

    // The hours summary pages its records under `records`.
    async fetchPage(page, pageSize) {
      const res = await activityService.myHours({ page, page_size: pageSize });
      const records = res.records || {};
      return { items: records.items, total: records.total, summary: res };
    },

    presentItem: presentRecord,

    pagedLoaded({ summary: res }) {
      const level = res.star_level || 0;
      const floor = level ? STAR_THRESHOLDS[level - 1] : 0;
      const next = res.next_level_at;
      const progress = next ? Math.min(100, Math.round(((res.service_hours - floor) / (next - floor)) * 100)) : 100;
      return {
        summary: res,
        stars: level ? '★'.repeat(level) : '',
        progress,
        nextText: next ? `距${level + 1}星还需 ${res.hours_to_next_level} 小时` : '已达最高星级',
      };
    },
  },
});
