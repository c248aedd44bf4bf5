const auth = require('../../utils/auth');
const notificationService = require('../../services/notification');
const { setUnreadBadge } = require('../../utils/badge');
const { formatDateTime } = require('../../utils/format');
const pagedList = require('../../behaviors/paged-list');

const PAGE_SIZE = 20;

function present(n) {
  return Object.assign({}, n, {
    title: n.title || '系统通知',
    content: n.content || n.body || '',
    timeText: formatDateTime(n.created_at),
    unread: typeof n.is_read === 'boolean' ? !n.is_read : !n.read_at,
  });
}

// Open the page a notice points at ("pages/x/index?id=1"). navigateTo refuses tab pages,
// which open with switchTab (and take no query string).
function openPage(page) {
  const path = String(page || '').replace(/^\//, '');
  wx.navigateTo({
    url: `/${path}`,
    fail: () => wx.switchTab({ url: `/${path.split('?')[0]}` }),
  });
}

Component({
  behaviors: [pagedList],

  data: {
    unreadCount: 0,
    unavailable: false,
    pageSize: PAGE_SIZE,
  },

  methods: {
    onShow() {
      this.loadPage(1);
    },

    async fetchPage(page, pageSize) {
      await auth.ensureLogin({ silent: true });
      // Silent: a missing inbox (404 on an older server) is not worth a toast.
      return notificationService.list({ page, page_size: pageSize }, { silent: true });
    },

    presentItem: present,

    pagedLoaded(res, items) {
      const unreadCount = typeof res.unread_count === 'number'
        ? res.unread_count
        : items.filter((n) => n.unread).length;
      setUnreadBadge(unreadCount);
      return { unreadCount, unavailable: false };
    },

    pagedFailed(e) {
      if (e && e.statusCode === 404) {
        // The inbox API is not deployed yet: show an empty inbox, no badge.
        // `finished` also keeps onReachBottom from asking again.
        this.setData({ items: [], unavailable: true, finished: true, unreadCount: 0 });
        setUnreadBadge(0);
      } else {
        wx.showToast({ title: (e && e.message) || '消息加载失败', icon: 'none' });
      }
    },

    async onItemTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      if (!item) return;
      if (item.page) {
        openPage(item.page);
      } else {
        wx.showModal({ title: item.title, content: item.content || item.title, showCancel: false });
      }
      if (!item.unread) return;
      try {
        await notificationService.markRead(item.id, { silent: true });
        const unreadCount = Math.max(0, this.data.unreadCount - 1);
        this.setData({ [`items[${index}].unread`]: false, unreadCount });
        setUnreadBadge(unreadCount);
      } catch (err) {
        // Stays unread; the next refresh shows the server's state.
      }
    },

    async onReadAll() {
      if (!this.data.unreadCount) return;
      try {
        await notificationService.markAllRead();
        const items = this.data.items.map((n) => Object.assign({}, n, { unread: false }));
        this.setData({ items, unreadCount: 0 });
        setUnreadBadge(0);
        wx.showToast({ title: '已全部标为已读', icon: 'none' });
      } catch (err) {
        // request.js showed the reason.
      }
    },
  },
});
