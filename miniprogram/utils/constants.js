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

const NETWORK_ERROR_MESSAGE = '网络异常,请稍后重试';

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
};
