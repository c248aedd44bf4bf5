// Unit-test host: a fresh stub of every wx.* API the code uses, before each test, and the
// globals WeChat gives every page (getApp, getCurrentPages).
const { createWx } = require('./helpers/wx');
const gesture = require('./helpers/gesture');

gesture.install();

beforeEach(() => {
  global.wx = createWx();
  global.__app = { globalData: {} };
  global.__currentPages = [];
});

global.getApp = () => global.__app;
global.getCurrentPages = () => global.__currentPages;
