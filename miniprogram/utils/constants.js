// Fixed lists shared by pages. Keep keys in sync with the API.

// Skills a volunteer can offer (the API stores the Chinese labels as given).
const VOLUNTEER_SKILLS = [
  '信息员',
  '巡防员',
  '调解员',
  '安全员',
  '服务员',
  '宣传员',
  '医疗救护',
  '法律服务',
  '心理疏导',
  '应急救援',
  '文艺宣传',
  '技术维修',
];

const VOLUNTEER_STATUS = {
  pending: '待审核',
  approved: '已通过',
  rejected: '已驳回',
  suspended: '已暂停',
};

// Order of the tabs on the admin review list.
const VOLUNTEER_STATUS_TABS = ['pending', 'approved', 'rejected', 'suspended'];

const ROLE_LABELS = {
  resident: '居民',
  volunteer: '平安志愿者',
  grid_worker: '网格员',
  auxiliary_police: '辅警',
  village_admin: '村（居）管理员',
  township_admin: '乡镇管理员',
  city_admin: '市级管理员',
};

const ADMIN_ROLES = ['village_admin', 'township_admin', 'city_admin'];

// Activity categories, in the API's codes (GET /activities?category=…).
const ACTIVITY_CATEGORY_LABELS = {
  patrol: '巡逻',
  publicity: '宣传',
  mediation: '调解',
  safety_check: '安全检查',
  convenience: '便民服务',
  info_collection: '信息采集',
  training: '培训',
};

const ACTIVITY_CATEGORIES = Object.keys(ACTIVITY_CATEGORY_LABELS);

// Stored status and the phase derived from the clock (the API sends both).
const ACTIVITY_STATUS_LABELS = {
  draft: '草稿',
  published: '已发布',
  enrolling: '报名中',
  upcoming: '即将开始',
  ongoing: '进行中',
  ended: '已结束',
  completed: '已结束',
  cancelled: '已取消',
};

const ENROLLMENT_STATUS_LABELS = {
  enrolled: '已报名',
  waitlisted: '候补中',
  cancelled: '已取消',
  removed: '已移出',
  no_show: '缺席',
};

const STAR_NAMES = ['暂无星级', '一星', '二星', '三星', '四星', '五星'];

// The five mechanisms of the alliance, shown on the home banner.
const MECHANISMS = ['活动开展', '服务响应', '经费筹措', '绩效考核', '表彰激励'];

// Tab bar index of the 消息 tab (used for the unread badge).
const MESSAGE_TAB_INDEX = 2;

// Leaderboard period tabs (keys as the API's `period`).
const LEADERBOARD_PERIODS = [
  { key: 'day', label: '日榜' },
  { key: 'week', label: '周榜' },
  { key: 'month', label: '月榜' },
  { key: 'quarter', label: '季榜' },
  { key: 'year', label: '年榜' },
  { key: 'all', label: '总榜' },
];

const POINT_SOURCE_LABELS = {
  activity: '参加活动',
  service_request: '办结服务请求',
  award: '获得表彰',
  adjustment: '人工调整',
  expiry: '积分到期',
  reversal: '冲正',
};

const AWARD_TIER_LABELS = { village: '村级', township: '乡镇级', city: '市级' };

const BULLETIN_KIND_LABELS = {
  daily_best: '日评优',
  weekly_dispatch: '周调度',
  monthly: '月通报',
  quarterly_talks: '季约谈',
  annual: '年考评',
};

const NOMINATION_STATUS = { pending: '待审批', approved: '已通过', rejected: '未通过' };

const NETWORK_ERROR_MESSAGE = '网络异常，请稍后重试';

// Service requests (服务响应); keys match the API.
const SERVICE_CATEGORIES = [
  { key: 'help', label: '求助' },
  { key: 'hazard', label: '隐患' },
  { key: 'dispute', label: '纠纷' },
  { key: 'tip_off', label: '线索' },
  { key: 'suggestion', label: '建议' },
  { key: 'other', label: '其他' },
];

const SERVICE_STATUS = {
  submitted: '待受理',
  assigned: '已指派',
  in_progress: '处理中',
  resolved: '已办结',
  closed: '已关闭',
  rejected: '已驳回',
  cancelled: '已撤销',
  reopened: '已重新打开',
};

const SERVICE_TIERS = { village: '村（社区）', township: '乡镇（街道）', city: '市' };

const CONTACT_METHODS = [
  { key: 'message', label: '站内消息' },
  { key: 'phone', label: '电话联系' },
  { key: 'none', label: '无需联系' },
];

// Shown until the server's own notice arrives: this is not an emergency line.
const EMERGENCY_NOTICE = '本平台不是紧急报警渠道。遇到违法犯罪、人身安全受到威胁等紧急情况，请立即拨打 110（火警 119、急救 120）。';

const MAX_PHOTOS = 9;

module.exports = {
  VOLUNTEER_SKILLS,
  VOLUNTEER_STATUS,
  VOLUNTEER_STATUS_TABS,
  ROLE_LABELS,
  ADMIN_ROLES,
  ACTIVITY_CATEGORY_LABELS,
  ACTIVITY_CATEGORIES,
  ACTIVITY_STATUS_LABELS,
  ENROLLMENT_STATUS_LABELS,
  STAR_NAMES,
  MECHANISMS,
  MESSAGE_TAB_INDEX,
  NETWORK_ERROR_MESSAGE,
  SERVICE_CATEGORIES,
  SERVICE_STATUS,
  SERVICE_TIERS,
  CONTACT_METHODS,
  EMERGENCY_NOTICE,
  MAX_PHOTOS,
  LEADERBOARD_PERIODS,
  POINT_SOURCE_LABELS,
  AWARD_TIER_LABELS,
  BULLETIN_KIND_LABELS,
  NOMINATION_STATUS,
};
