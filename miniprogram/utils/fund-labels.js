// Labels of the fund domain (keys as the API sends them).
const DONOR_TYPES = [
  { key: 'person', label: '个人' },
  { key: 'company', label: '企业' },
  { key: 'organisation', label: '组织' },
];

const CHANNELS = [
  { key: 'cash', label: '现金' },
  { key: 'bank_transfer', label: '银行转账' },
  { key: 'wechat_transfer', label: '微信转账' },
  { key: 'other', label: '其他' },
];

const EXPENSE_CATEGORIES = [
  { key: 'equipment', label: '装备物资' },
  { key: 'insurance', label: '保险' },
  { key: 'meals', label: '志愿者餐补' },
  { key: 'transport', label: '交通' },
  { key: 'publicity', label: '宣传' },
  { key: 'training', label: '培训' },
  { key: 'other', label: '其他' },
];

const EXPENSE_STATUS = {
  draft: '草稿',
  pending: '待审批',
  approved: '已批准',
  paid: '已支付',
  rejected: '已驳回',
  cancelled: '已撤销',
};

const EXPENSE_ACTIONS = {
  submit: '提交审批',
  approve: '批准',
  reject: '驳回',
  pay: '确认支付',
  cancel: '撤销',
};

module.exports = { DONOR_TYPES, CHANNELS, EXPENSE_CATEGORIES, EXPENSE_STATUS, EXPENSE_ACTIONS };
