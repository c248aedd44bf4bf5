// The check-in QR code's scene: "a=<activity id>&c=<code>&m=i|o" (≤ 32 characters).
// A mini-program code opens pages/activity/scan/index?scene=<url-encoded scene>; wx.scanCode on
// it returns {path: "pages/activity/scan/index?scene=..."}.

const PURPOSES = { i: 'checkin', o: 'checkout' };

function decode(value) {
  try {
    return decodeURIComponent(value);
  } catch (e) {
    return value;
  }
}

// "a=12&c=ABCD2345&m=i" → {activityId: 12, code: 'ABCD2345', purpose: 'checkin'} or null.
function parseScene(scene) {
  if (!scene) return null;
  const text = decode(String(scene));
  const fields = {};
  text.split('&').forEach((pair) => {
    const at = pair.indexOf('=');
    if (at > 0) fields[pair.slice(0, at)] = pair.slice(at + 1);
  });
  const activityId = Number(fields.a);
  const purpose = PURPOSES[fields.m];
  if (!Number.isInteger(activityId) || activityId <= 0 || !fields.c || !purpose) return null;
  return { activityId, code: fields.c, purpose };
}

// The scene out of a wx.scanCode result ({path} for mini-program codes, {result} otherwise).
function sceneFromScan(res) {
  if (!res) return null;
  const source = res.path || res.result || '';
  const match = /[?&]scene=([^&#]+)/.exec(source);
  if (match) return parseScene(match[1]);
  return parseScene(source); // a bare scene typed into or encoded in a plain QR code
}

module.exports = { parseScene, sceneFromScan };
