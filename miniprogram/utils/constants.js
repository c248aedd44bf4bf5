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
  village_admin: '村(居)管理员',
  township_admin: '乡镇管理员',
  city_admin: '市级管理员',
};

const ADMIN_ROLES = ['village_admin', 'township_admin', 'city_admin'];

const ACTIVITY_CATEGORY_LABELS = {
  patrol: '治安巡防',
  publicity: '宣传教育',
  mediation: '矛盾调解',
  safety_check: '安全检查',
  service: '便民服务',
  emergency: '应急处置',
  other: '其他',
};

const ACTIVITY_STATUS_LABELS = {
  draft: '草稿',
  published: '报名中',
  ongoing: '进行中',
  completed: '已结束',
  cancelled: '已取消',
};

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

const NETWORK_ERROR_MESSAGE = '网络异常,请稍后重试';

module.exports = {
  VOLUNTEER_SKILLS,
  VOLUNTEER_STATUS,
  VOLUNTEER_STATUS_TABS,
  ROLE_LABELS,
  ADMIN_ROLES,
  ACTIVITY_CATEGORY_LABELS,
  ACTIVITY_STATUS_LABELS,
  MECHANISMS,
  MESSAGE_TAB_INDEX,
  NETWORK_ERROR_MESSAGE,
  LEADERBOARD_PERIODS,
  POINT_SOURCE_LABELS,
  AWARD_TIER_LABELS,
  BULLETIN_KIND_LABELS,
  NOMINATION_STATUS,
};
