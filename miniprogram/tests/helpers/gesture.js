// The user's tap, as WeChat sees it. Some APIs only open when they are called while a tap is
// being handled (wx.requestSubscribeMessage, wx.openSetting, wx.openPrivacyContract …): called
// after an `await`, a network round trip or a timer, they fail on a phone with
// "can only be invoked by user TAP gesture". The unit-test wx stub asks this module whether a
// call happens inside the synchronous handling of a tap, so that such a regression fails a test.
//
// j-component delivers every event through exparser.Event.dispatchEvent; while a `tap` is being
// dispatched (the page's handler and every component event it triggers on the way, such as
// TDesign's t-button `tap` or t-cell `click`), the gesture is open. It closes when the handler
// returns: whatever runs after an `await` runs outside it.
const exparser = require('miniprogram-exparser');

const GESTURE_EVENTS = new Set(['tap']);

const state = { depth: 0, calls: null };

function inTap() {
  return state.depth > 0;
}

// wx.* calls made so far in the current tap (null outside a tap).
function callsInTap() {
  return state.calls;
}

function noteCall(name) {
  if (state.depth > 0) state.calls.push(name);
}

function install() {
  if (exparser.Event.__gesturePatched) return;
  const original = exparser.Event.dispatchEvent;
  exparser.Event.dispatchEvent = function dispatchEvent(target, event, ...rest) {
    const opens = event && GESTURE_EVENTS.has(event.type);
    if (!opens) return original.call(this, target, event, ...rest);
    if (state.depth === 0) state.calls = [];
    state.depth += 1;
    try {
      return original.call(this, target, event, ...rest);
    } finally {
      state.depth -= 1;
      if (state.depth === 0) state.calls = null;
    }
  };
  exparser.Event.__gesturePatched = true;
}

// Run fn as if the user had tapped (for handlers that tests call directly).
function asTap(fn) {
  if (state.depth === 0) state.calls = [];
  state.depth += 1;
  try {
    return fn();
  } finally {
    state.depth -= 1;
    if (state.depth === 0) state.calls = null;
  }
}

module.exports = { install, inTap, callsInTap, noteCall, asTap };
