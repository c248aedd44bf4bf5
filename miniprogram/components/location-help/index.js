// <sa-location-help reason="{{locationError.reason}}" message="{{locationError.message}}"
//                   bind:retry="onRetryLocation" />
// What to do when location is refused (see utils/location.js): a refused scope gets a button
// that opens the settings page (open-type="openSetting", so it works from the tap itself); a
// phone whose location service is off gets the steps and a retry; a privacy refusal gets the
// guide. `retry` fires when the user is back with the permission, or taps 重试.
const privacy = require('../../utils/privacy');

Component({
  properties: {
    reason: { type: String, value: '' },
    message: { type: String, value: '' },
  },
  methods: {
    onOpenSetting(e) {
      const auth = (e && e.detail && e.detail.authSetting) || {};
      if (auth['scope.userLocation'] || auth['scope.userFuzzyLocation']) this.triggerEvent('retry');
    },
    onRetry() {
      this.triggerEvent('retry');
    },
    onPrivacy() {
      privacy.openContract();
    },
  },
});
