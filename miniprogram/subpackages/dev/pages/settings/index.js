// 开发设置 (develop and trial builds): which API the phone talks to during real-device preview.
// The computer runs `HOST=0.0.0.0 make run`; the phone, on the same Wi-Fi, uses
// http://<the computer's LAN address>:5000/api/v1. 检测 calls /health to prove it before saving.
const env = require('../../../../config/env');
const { get } = require('../../../../utils/request');
const auth = require('../../../../utils/auth');

function withApiPath(input) {
  let value = String(input || '').trim().replace(/\/+$/, '');
  if (!value) return '';
  if (!/^https?:\/\//i.test(value)) value = `http://${value}`;
  if (!/\/api\/v1$/.test(value)) value = `${value}/api/v1`;
  return value;
}

Component({
  data: {
    envVersion: '',
    current: '',
    builtIn: '',
    input: '',
    checking: false,
    result: '',
    ok: false,
  },

  methods: {
    onLoad() {
      const envVersion = env.getEnvVersion();
      this.setData({
        envVersion,
        current: env.getApiBase(),
        builtIn: env.API_BASES[envVersion] || env.API_BASES.develop,
        input: env.getDevApiBase(),
      });
    },

    onInput(e) {
      this.setData({ input: e.detail.value, result: '' });
    },

    async onCheck() {
      const base = withApiPath(this.data.input);
      if (!base) {
        this.setData({ result: '请输入电脑的局域网地址，例如 192.168.1.20:5000', ok: false });
        return;
      }
      this.setData({ checking: true, result: '' });
      try {
        const health = await get(`${base}/health`, undefined, { auth: false, silent: true, retry: false });
        env.setDevApiBase(base);
        auth.logout(); // a token of another server is worthless here
        this.setData({ ok: true, current: base, input: base, result: `连接成功（${health.status || 'ok'}），已切换，重新进入页面后生效` });
      } catch (e) {
        this.setData({ ok: false, result: `无法连接 ${base}：${(e && e.detail) || (e && e.message) || ''}。请确认手机和电脑在同一 Wi-Fi，开发服务器以 HOST=0.0.0.0 启动，并在右上角“开发调试”中打开调试（不校验合法域名）` });
      } finally {
        this.setData({ checking: false });
      }
    },

    onReset() {
      env.setDevApiBase('');
      auth.logout();
      this.setData({ input: '', current: env.getApiBase(), result: '已恢复默认地址', ok: true });
    },
  },
});
