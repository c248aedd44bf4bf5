// Unit-test host: a fresh stub of every wx.* API the code uses, before each test.
const { createWx } = require('./helpers/wx');

beforeEach(() => {
  global.wx = createWx();
});
