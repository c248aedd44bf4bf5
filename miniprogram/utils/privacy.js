// Privacy (用户隐私保护指引). Since base library 2.32.3 WeChat blocks the privacy-relevant APIs
// (location, photos, phone number …) until the user has agreed to the mini-program's privacy
// guide; it then calls the listener registered with wx.onNeedPrivacyAuthorization, and the
// app must show its own prompt with a button of open-type "agreePrivacyAuthorization".
//  * install() (app.js onLaunch) registers the listener: it opens the <sa-privacy id="privacy">
//    of the current page, or refuses when the page has none (the API call then fails and the
//    page shows its own recovery).
//  * openContract() opens the guide itself (wx.openPrivacyContract) wherever consent is asked.
const SUMMARY = '为开展平安志愿服务，我们会收集您的昵称、手机号；申请成为志愿者时还会收集姓名、身份证号、'
  + '所在村（社区）和服务技能；现场签到和反映问题时会使用您的位置。身份证号和手机号加密保存，'
  + '仅您本人和有权限的管理员可查看完整信息。您可以随时在“我的”页面注销账号，注销后个人信息将被删除，'
  + '服务记录匿名保留。';

function currentPage() {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
  return pages[pages.length - 1] || null;
}

function onNeed(resolve, eventInfo) {
  const page = currentPage();
  const prompt = page && typeof page.selectComponent === 'function' ? page.selectComponent('#privacy') : null;
  if (prompt && typeof prompt.open === 'function') {
    prompt.open(resolve, eventInfo);
  } else {
    resolve({ event: 'disagree' });
  }
}

function install() {
  if (typeof wx.onNeedPrivacyAuthorization === 'function') wx.onNeedPrivacyAuthorization(onNeed);
}

function openContract() {
  const fallback = () => wx.showModal({
    title: '隐私保护指引',
    content: SUMMARY,
    showCancel: false,
    confirmText: '我知道了',
  });
  if (typeof wx.openPrivacyContract !== 'function') {
    fallback();
    return;
  }
  wx.openPrivacyContract({ fail: fallback });
}

module.exports = { install, openContract, onNeed, SUMMARY };
