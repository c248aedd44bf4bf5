const auth = require('./utils/auth');
const privacy = require('./utils/privacy');
const share = require('./utils/share');

App({
  globalData: {
    me: null,
  },

  onLaunch() {
    // WeChat asks before a privacy-relevant API runs; the current page's <sa-privacy> answers.
    privacy.install();
    // Log in early so the first page already has a token; pages call ensureLogin() again.
    // Not in Moments' single-page mode: wx.login is unavailable there, and a shared page only
    // reads public content.
    if (!share.isSinglePage()) auth.ensureLogin({ silent: true }).catch(() => {});
    this.checkForUpdate();
  },

  checkForUpdate() {
    if (!wx.getUpdateManager) return;
    const manager = wx.getUpdateManager();
    manager.onUpdateReady(() => {
      wx.showModal({
        title: '更新提示',
        content: '新版本已经准备好，是否重启应用？',
        success: (res) => {
          if (res.confirm) manager.applyUpdate();
        },
      });
    });
  },
});
