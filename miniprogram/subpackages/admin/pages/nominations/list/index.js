const recognition = require('../../../../../services/recognition');
const { NOMINATION_STATUS } = require('../../../../../utils/constants');
const { formatDateTime } = require('../../../../../utils/format');
const pagedList = require('../../../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const TABS = [
  { key: 'queue', label: '待我审批' },
  { key: 'pending', label: '待审批' },
  { key: 'approved', label: '已通过' },
  { key: 'rejected', label: '未通过' },
];

function queryFor(tab) {
  return tab === 'queue' ? { actionable: true } : { status: tab };
}

function present(n) {
  return Object.assign({}, n, {
    statusText: n.status_name || NOMINATION_STATUS[n.status] || n.status,
    timeText: formatDateTime(n.created_at),
  });
}

function askReason(title, placeholder) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder,
      success: (res) => resolve(res.confirm ? String(res.content || '').trim() : null),
      fail: () => resolve(null),
    });
  });
}

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'queue',
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad(options) {
      const tab = options && TABS.some((t) => t.key === options.tab) ? options.tab : 'queue';
      this.setData({ tab });
      this.loadPage(1);
    },

    onTabTap(e) {
      const { tab } = e.currentTarget.dataset;
      if (tab === this.data.tab) return;
      this.reload({ tab });
    },

    fetchPage(page, pageSize) {
      return recognition.nominations(Object.assign({ page, page_size: pageSize }, queryFor(this.data.tab)));
    },

    presentItem: present,

    pagedKey() {
      return this.data.tab;
    },

    replace(index, nomination) {
      if (this.data.tab === 'queue' || this.data.tab === 'pending') {
        const items = this.data.items.slice();
        items.splice(index, 1);
        this.setData({ items, total: Math.max(0, this.data.total - 1) });
      } else {
        this.setData({ [`items[${index}]`]: present(nomination) });
      }
    },

    async onApproveTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      const comment = await askReason(`通过「${item.award_name}」`, '审批意见（选填）');
      if (comment === null) return;
      // One key per decision: a retried tap never creates a second award.
      this._keys = this._keys || {};
      this._keys[item.id] = this._keys[item.id] || recognition.newIdempotencyKey(`approve-${item.id}`);
      try {
        const updated = await recognition.approveNomination(item.id, comment, this._keys[item.id]);
        wx.showToast({ title: '已通过，证书已签发', icon: 'success' });
        this.replace(index, updated);
      } catch (err) {
        // request.js showed the reason (wrong tier, self approval, already decided…).
      }
    },

    async onRejectTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      const reason = await askReason(`不通过「${item.award_name}」`, '请填写原因');
      if (reason === null) return;
      if (!reason) {
        wx.showToast({ title: '请填写不通过的原因', icon: 'none' });
        return;
      }
      try {
        const updated = await recognition.rejectNomination(item.id, reason);
        wx.showToast({ title: '已处理', icon: 'success' });
        this.replace(index, updated);
      } catch (err) {
        // request.js showed the reason.
      }
    },

    onCreateTap() {
      wx.navigateTo({ url: '/subpackages/admin/pages/nominations/create/index' });
    },
  },
});
