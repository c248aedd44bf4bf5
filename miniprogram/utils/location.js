// Location with a way back when it is refused.
//
// locate({precise}) resolves {latitude, longitude, accuracy} or rejects with
// {reason, message, errMsg}:
//   reason 'denied'   — the user refused the location scope: wx.openSetting (from a tap) brings it back;
//   reason 'gps_off'  — the phone's location service is off, or WeChat may not use it;
//   reason 'privacy'  — the privacy guide was not agreed (see utils/privacy.js);
//   reason 'failed'   — no fix (indoors, timeout).
//
// Precise (check-in, which is judged in metres): wx.getLocation, high accuracy, gcj02.
// Not precise ("near me" lists): the coarse fix is all the list needs. WeChat lets a
// mini-program declare either getLocation or getFuzzyLocation in app.json requiredPrivateInfos,
// not both, and check-in needs getLocation; so FUZZY_API says which one app.json declares
// (tests/unit/design.test.js keeps them in step), and a precise fix is rounded to about 1 km
// before it leaves the phone when getFuzzyLocation is not available.
const FUZZY_API = 'getLocation';
const FUZZY_DECIMALS = 2; // 0.01° ≈ 1.1 km

const MESSAGES = {
  denied: '您未允许使用位置信息，可在设置中开启后重试',
  gps_off: '手机的定位服务未开启，请在系统设置中开启定位（并允许微信使用位置）后重试',
  privacy: '需要先同意隐私保护指引才能使用位置信息',
  failed: '暂时无法获取位置，请到开阔处稍后重试',
};

function classify(err) {
  const msg = String((err && err.errMsg) || '');
  const code = err && (err.errCode || err.errno);
  if (/privacy|104/.test(msg) || code === 104 || code === 112) return 'privacy';
  if (/auth den|authorize no response|auth deny|permission denied by user/i.test(msg)) return 'denied';
  if (/system permission denied|locationSwitchOff|LOCATIONSWITCHOFF|ERROR_NOCELL|system location/i.test(msg) || code === 2) {
    return 'gps_off';
  }
  return 'failed';
}

function failure(err) {
  const reason = classify(err);
  return { reason, message: MESSAGES[reason], errMsg: (err && err.errMsg) || '' };
}

function call(api, options) {
  return new Promise((resolve, reject) => {
    if (typeof wx[api] !== 'function') {
      reject(failure({ errMsg: `${api}:fail not supported` }));
      return;
    }
    wx[api](Object.assign({}, options, {
      success: (res) => resolve({ latitude: res.latitude, longitude: res.longitude, accuracy: res.accuracy }),
      fail: (err) => reject(failure(err)),
    }));
  });
}

function round(value) {
  const f = 10 ** FUZZY_DECIMALS;
  return Math.round(value * f) / f;
}

function locate({ precise = true } = {}) {
  if (precise) return call('getLocation', { type: 'gcj02', isHighAccuracy: true, highAccuracyExpireTime: 4000 });
  if (FUZZY_API === 'getFuzzyLocation') return call('getFuzzyLocation', { type: 'gcj02' });
  return call('getLocation', { type: 'gcj02' }).then((p) => ({
    latitude: round(p.latitude),
    longitude: round(p.longitude),
    accuracy: null,
  }));
}

// The settings page, where a refused scope can be allowed again. Must run inside a tap.
function openSettings() {
  return new Promise((resolve) => {
    wx.openSetting({
      success: (res) => resolve(Boolean(res && res.authSetting && (res.authSetting['scope.userLocation'] || res.authSetting['scope.userFuzzyLocation']))),
      fail: () => resolve(false),
    });
  });
}

module.exports = { locate, openSettings, classify, MESSAGES, FUZZY_API };
