const auth = require('../../utils/auth');
const notificationService = require('../../services/notification');
const { MESSAGE_TAB_INDEX } = require('../../utils/constants');
const { formatDateTime } = require('../../utils/format');

const PAGE_SIZE = 20;

function isRead(n) {
  if (typeof n.is_read === 'boolean') return n.is_read;
  if (typeof n.read === 'boolean') return n.read;
  return Boolean(n.read_at);
}

function present(n) {
  return Object.assign({}, n, {
    title: n.title || '系统通知',
    content: n.content || n.body || '',
    timeText: formatDateTime(n.created_at),
    unread: !isRead(n),
  });
}

function updateBadge(count) {
  if (count > 0) {
    wx.setTabBarBadge({ index: MESSAGE_TAB_INDEX, text: count > 99 ? '99+' : String(count) });
  } else {
    wx.removeTabBarBadge({ index: MESSAGE_TAB_INDEX });
  }
}

Component({
  data: {
    items: [],
    page: 0,
    total: 0,
    unreadCount: 0,
    loading: false,
    finished: false,
    unavailable: false,
  },

  methods: {
    onShow() {
      this.loadPage(1);
    },

    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading || this.data.unavailable) return;
      this.loadPage(this.data.page + 1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      this.setData({ loading: true });
      try {
        await auth.ensureLogin({ silent: true });
        // Silent: a missing inbox (404 on an older server) is not worth a toast.
        const res = await notificationService.list({ page, page_size: PAGE_SIZE }, { silent: true });
        const fresh = (res.items || []).map(present);
        const items = page === 1 ? fresh : this.data.items.concat(fresh);
        const total = res.total || 0;
        const unreadCount = typeof res.unread === 'number'
          ? res.unread
          : items.filter((n) => n.unread).length;
        this.setData({
          items,
          page,
          total,
          unreadCount,
          unavailable: false,
          finished: items.length >= total || fresh.length < PAGE_SIZE,
        });
        updateBadge(unreadCount);
      } catch (e) {
        if (e && e.statusCode === 404) {
          // The inbox API is not deployed yet: show an empty inbox, no badge.
          this.setData({ items: [], unavailable: true, finished: true, unreadCount: 0 });
          updateBadge(0);
        } else {
          wx.showToast({ title: (e && e.message) || '消息加载失败', icon: 'none' });
        }
      } finally {
        this.setData({ loading: false });
      }
    },

    async onItemTap(e) {
      const { index } = e.currentTarget.dataset;
      const item = this.data.items[index];
      if (!item) return;
      wx.showModal({ title: item.title, content: item.content || item.title, showCancel: false });
      if (!item.unread) return;
      try {
        await notificationService.markRead(item.id, { silent: true });
        const unreadCount = Math.max(0, this.data.unreadCount - 1);
        this.setData({ [`items[${index}].unread`]: false, unreadCount });
        updateBadge(unreadCount);
      } catch (err) {
        // Stays unread; the next refresh shows the server's state.
      }
    },
  },
});
