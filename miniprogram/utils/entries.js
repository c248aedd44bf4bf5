// Where every page is reached from: the home grid, and the admin hub (管理工作台), whose
// entries depend on the roles the user holds (the server still checks every call).

const ADMIN_ROLES = ['village_admin', 'township_admin', 'city_admin'];
const HANDLER_ROLES = ['grid_worker', 'auxiliary_police'];

const HUB_URL = '/subpackages/admin/pages/hub/index';

const HOME_ENTRIES = [
  { key: 'service-submit', icon: '助', label: '我要求助', url: '/pages/service/submit/index', tab: false },
  { key: 'service-mine', icon: '办', label: '我的求助', url: '/pages/service/mine/index', tab: false },
  { key: 'activity', icon: '活', label: '志愿活动', url: '/pages/activity/list/index', tab: true },
  { key: 'scan', icon: '签', label: '扫码签到', url: '/pages/activity/scan/index', tab: false },
  { key: 'funds', icon: '经', label: '经费公示', url: '/pages/fund/list/index', tab: false },
  { key: 'leaderboard', icon: '榜', label: '积分排行', url: '/pages/recognition/leaderboard/index', tab: false },
  { key: 'honours', icon: '荣', label: '光荣榜', url: '/pages/recognition/honours/index', tab: false },
  { key: 'bulletins', icon: '报', label: '通报公示', url: '/pages/recognition/bulletins/index', tab: false },
  { key: 'apply', icon: '志', label: '志愿者申请', url: '/pages/volunteer/apply/index', tab: false },
  { key: 'message', icon: '信', label: '我的消息', url: '/pages/message/index', tab: true },
];

const HUB_ENTRY = { key: 'admin', icon: '管', label: '管理工作台', url: HUB_URL, tab: false };

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
        hint: '推荐志愿者、服务队,审批下级推荐',
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
        key: 'points-adjust',
        label: '积分调整',
        hint: '手工加减积分,须填写原因',
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

function homeEntries(me) {
  return isStaff(me) ? HOME_ENTRIES.concat(HUB_ENTRY) : HOME_ENTRIES;
}

module.exports = {
  ADMIN_ROLES,
  HANDLER_ROLES,
  HUB_URL,
  HOME_ENTRIES,
  ADMIN_SECTIONS,
  isStaff,
  adminSections,
  homeEntries,
};
