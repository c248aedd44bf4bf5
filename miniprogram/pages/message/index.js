const auth = require('../../utils/auth');
const notificationService = require('../../services/notification');
const { setUnreadBadge } = require('../../utils/badge');
const { formatDateTime } = require('../../utils/format');

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
        const unreadCount = typeof res.unread_count === 'number'
          ? res.unread_count
          : items.filter((n) => n.unread).length;
        this.setData({
          items,
          page,
          total,
          unreadCount,
          unavailable: false,
          finished: items.length >= total || fresh.length < PAGE_SIZE,
        });
        setUnreadBadge(unreadCount);
      } catch (e) {
        if (e && e.statusCode === 404) {
          // The inbox API is not deployed yet: show an empty inbox, no badge.
          this.setData({ items: [], unavailable: true, finished: true, unreadCount: 0 });
          setUnreadBadge(0);
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
