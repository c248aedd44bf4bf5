// <sa-privacy id="privacy" />: the prompt WeChat asks for before a privacy-relevant API runs
// (see utils/privacy.js). Put it on every page that uses location, photos or the phone number.
// Agreeing goes through a button of open-type "agreePrivacyAuthorization", as WeChat requires;
// the guide itself opens with wx.openPrivacyContract.
const privacy = require('../../utils/privacy');

const AGREE_ID = 'sa-privacy-agree';

Component({
  data: {
    visible: false,
    agreeId: AGREE_ID,
  },
  methods: {
    // Called by utils/privacy.js with WeChat's resolve function.
    open(resolve) {
      if (this._resolve) this._resolve({ event: 'disagree' });
      this._resolve = resolve;
      this.setData({ visible: true });
    },
    finish(answer) {
      const resolve = this._resolve;
      this._resolve = null;
      this.setData({ visible: false });
      if (resolve) resolve(answer);
    },
    onAgree() {
      this.finish({ buttonId: AGREE_ID, event: 'agree' });
    },
    onDisagree() {
      this.finish({ event: 'disagree' });
    },
    onContract() {
      privacy.openContract();
    },
  },
});
