// What every jest project of the mini-program shares: the code runs as WeChat DevTools builds it.
//  * miniprogram_npm/ (built by tools/build-npm.js, like DevTools' 构建 npm) holds TDesign as ES
//    modules: babel turns them into CommonJS, as DevTools' "ES6 → ES5" does;
//  * a bare require('tslib') inside miniprogram_npm resolves through the nearest miniprogram_npm
//    folder, as the mini-program's require does.
const path = require('path');

module.exports = {
  rootDir: __dirname,
  moduleDirectories: ['node_modules', 'miniprogram_npm'],
  transform: {
    '\\.js$': ['babel-jest', {
      babelrc: false,
      configFile: false,
      plugins: [require.resolve('@babel/plugin-transform-modules-commonjs')],
    }],
  },
  transformIgnorePatterns: ['/node_modules/'],
  modulePathIgnorePatterns: [path.join(__dirname, 'miniprogram_npm', '.*', 'package.json')],
};
