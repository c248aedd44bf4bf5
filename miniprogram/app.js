const auth = require('./utils/auth');

App({
  globalData: {
    me: null,
  },

  onLaunch() {
    // Log in early so the first page already has a token; pages call ensureLogin() again.
    auth.ensureLogin({ silent: true }).catch(() => {});
    this.checkForUpdate();
  },

  checkForUpdate() {
    if (!wx.getUpdateManager) return;
    const manager = wx.getUpdateManager();
    manager.onUpdateReady(() => {
      wx.showModal({
        title: '更新提示',
        content: '新版本已经准备好,是否重启应用?',
        success: (res) => {
          if (res.confirm) manager.applyUpdate();
        },
      });
    });
  },
});
