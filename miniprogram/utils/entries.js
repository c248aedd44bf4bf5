// Where every page is reached from: the home grid, and the admin hub (管理工作台), whose
// entries depend on the roles the user holds (the server still checks every call).

const ADMIN_ROLES = ['village_admin', 'township_admin', 'city_admin'];
const HANDLER_ROLES = ['grid_worker', 'auxiliary_police'];

const HUB_URL = '/subpackages/admin/pages/hub/index';

// The home page's quick entries. Tabs (活动, 消息) are never repeated here, and an entry that
// offers what the person already has is left out (see homeEntries).
const HOME_ENTRIES = [
  { key: 'service-mine', icon: 'chat-bubble-history', label: '我的反映', url: '/pages/service/mine/index', tab: false },
  { key: 'scan', icon: 'scan', label: '扫码签到', url: '/pages/activity/scan/index', tab: false, only: 'volunteer' },
  { key: 'card', icon: 'cardmembership', label: '志愿者证', url: '/pages/volunteer/card/index', tab: false, only: 'volunteer' },
  { key: 'funds', icon: 'wallet', label: '经费公示', url: '/pages/fund/list/index', tab: false },
  { key: 'leaderboard', icon: 'chart-bar', label: '积分排行', url: '/pages/recognition/leaderboard/index', tab: false },
  { key: 'honours', icon: 'certificate', label: '光荣榜', url: '/pages/recognition/honours/index', tab: false },
  { key: 'bulletins', icon: 'notification', label: '通报公示', url: '/pages/recognition/bulletins/index', tab: false },
  { key: 'apply', icon: 'user-add', label: '志愿者申请', url: '/pages/volunteer/apply/index', tab: false, only: 'applicant' },
];

const HUB_ENTRY = { key: 'admin', icon: 'desktop', label: '管理工作台', url: HUB_URL, tab: false };

// Admin hub sections; `roles` lists who sees an entry.
const ADMIN_SECTIONS = [
  {
    title: '服务响应',
    entries: [
      {
        key: 'requests',
        label: '服务请求工单',
        hint: '受理、指派、办结、上报',
        url: '/subpackages/admin/pages/requests/queue/index',
        roles: [...HANDLER_ROLES, ...ADMIN_ROLES],
      },
    ],
  },
  {
    title: '活动开展',
    entries: [
      {
        key: 'activities',
        label: '活动管理',
        hint: '发布活动、花名册、现场签到码',
        url: '/subpackages/admin/pages/activities/list/index',
        roles: ADMIN_ROLES,
      },
      {
        key: 'volunteers',
        label: '志愿者审核',
        hint: '入队申请的通过、驳回与暂停',
        url: '/subpackages/admin/pages/volunteers/list/index',
        roles: ADMIN_ROLES,
      },
    ],
  },
  {
    title: '经费筹措',
    entries: [
      {
        key: 'fund-approvals',
        label: '支出审批',
        hint: '待审批与待支付的支出',
        url: '/subpackages/admin/pages/funds/approvals/index',
        roles: ADMIN_ROLES,
      },
      {
        key: 'fund-ledger',
        label: '登记捐赠 · 提交支出',
        hint: '进入本级基金详情页办理',
        url: '/pages/fund/list/index',
        roles: ADMIN_ROLES,
      },
    ],
  },
  {
    title: '绩效考核 · 表彰激励',
    entries: [
      {
        key: 'nominations',
        label: '表彰推荐与审批',
        hint: '推荐志愿者、服务队，审批下级推荐',
        url: '/subpackages/admin/pages/nominations/list/index',
        roles: ADMIN_ROLES,
      },
      {
        key: 'nominate',
        label: '推荐表彰',
        hint: '为本辖区志愿者或服务队提交推荐',
        url: '/subpackages/admin/pages/nominations/create/index',
        roles: ADMIN_ROLES,
      },
      {
        key: 'scorecards',
        label: '考评统计',
        hint: '志愿者、网格员、村（社区）的考评与导出',
        url: '/subpackages/admin/pages/scorecards/index',
        roles: ADMIN_ROLES,
      },
      {
        key: 'points-adjust',
        label: '积分调整',
        hint: '手工加减积分，须填写原因',
        url: '/subpackages/admin/pages/points/adjust/index',
        roles: ADMIN_ROLES,
      },
    ],
  },
];

function roleNames(me) {
  return ((me && me.roles) || []).map((r) => r.role);
}

// Whether the user holds any staff role (admin or handler): they get the hub.
function isStaff(me) {
  const names = roleNames(me);
  return Boolean(me && me.is_admin) || names.some((r) => ADMIN_ROLES.includes(r) || HANDLER_ROLES.includes(r));
}

// The hub sections this user may open, empty sections dropped.
function adminSections(me) {
  const names = roleNames(me);
  return ADMIN_SECTIONS.map((section) => ({
    title: section.title,
    entries: section.entries
      .filter((entry) => entry.roles.some((r) => names.includes(r)))
      .map(({ roles, ...rest }) => rest),
  })).filter((section) => section.entries.length);
}

function volunteerStatus(me) {
  return (me && me.volunteer && me.volunteer.status) || '';
}

function isVolunteer(me) {
  return volunteerStatus(me) === 'approved';
}

function isAdmin(me) {
  return Boolean(me && me.is_admin) || roleNames(me).some((r) => ADMIN_ROLES.includes(r));
}

function isHandler(me) {
  return roleNames(me).some((r) => HANDLER_ROLES.includes(r));
}

// Who the person is, in a few words: "龙津社区村(居)管理员、平安志愿者", or "居民".
function identityText(me) {
  const { roleLabel } = require('./format');
  const labels = ((me && me.roles) || []).filter((r) => r.role !== 'resident' && r.role !== 'volunteer').map(roleLabel);
  if (isVolunteer(me)) labels.push('平安志愿者');
  return labels.length ? labels.join('、') : '居民';
}

// Entries for this person: volunteer-only ones for approved volunteers, the application for
// those who have none (or were rejected), the hub for staff.
function homeEntries(me) {
  const status = volunteerStatus(me);
  const entries = HOME_ENTRIES.filter((entry) => {
    if (entry.only === 'volunteer') return status === 'approved';
    if (entry.only === 'applicant') return !status || status === 'rejected';
    return true;
  });
  return isStaff(me) ? entries.concat(HUB_ENTRY) : entries;
}

module.exports = {
  ADMIN_ROLES,
  HANDLER_ROLES,
  HUB_URL,
  HOME_ENTRIES,
  ADMIN_SECTIONS,
  isStaff,
  isAdmin,
  isHandler,
  isVolunteer,
  adminSections,
  homeEntries,
  identityText,
};
