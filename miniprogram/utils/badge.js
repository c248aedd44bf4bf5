// The unread badge on the 消息 tab: set from a known count, or refreshed from the server.
const notificationService = require('../services/notification');
const { MESSAGE_TAB_INDEX } = require('./constants');

function setUnreadBadge(count) {
  // Outside a tab page WeChat refuses badge calls; that is harmless, so swallow it.
  const ignore = () => {};
  if (count > 0) {
    wx.setTabBarBadge({ index: MESSAGE_TAB_INDEX, text: count > 99 ? '99+' : String(count), fail: ignore });
  } else {
    wx.removeTabBarBadge({ index: MESSAGE_TAB_INDEX, fail: ignore });
  }
}

// Resolves with the unread count (0 when it cannot be read); never rejects.
async function refreshUnreadBadge() {
  try {
    const res = await notificationService.unreadCount({ silent: true });
    const count = (res && res.unread_count) || 0;
    setUnreadBadge(count);
    return count;
  } catch (e) {
    return 0;
  }
}

module.exports = { setUnreadBadge, refreshUnreadBadge };
