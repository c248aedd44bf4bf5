// 确认登录工作台: opened by scanning the code the PC console shows (scene = a one-time login
// ticket, valid 2 minutes). It says what is being logged in — which account, which browser
// from which address — and logs the PC in only when the admin confirms; 取消 refuses it.
const auth = require('../../../../utils/auth');
const consoleService = require('../../services/console');

// Chinese for the refusals the server can give (the message it sends is shown when present).
const REASONS = {
  login_ticket_expired: '二维码已过期，请在电脑上刷新后重新扫码',
  login_ticket_used: '该二维码已使用，请在电脑上刷新后重新扫码',
  login_ticket_cancelled: '该登录请求已取消，请在电脑上刷新后重新扫码',
  login_ticket_scanned_by_other: '该二维码已被其他管理员扫描',
  login_ticket_not_found: '登录二维码无效，请在电脑上刷新后重新扫码',
  console_admin_required: '只有综治中心管理员可以登录工作台',
};

function ticketFrom(options) {
  const raw = (options && (options.scene || options.ticket)) || '';
  try {
    return decodeURIComponent(raw).trim();
  } catch (e) {
    return String(raw).trim();
  }
}

function reasonOf(e) {
  if (!e) return '操作失败，请稍后重试';
  return REASONS[e.code] || e.message || '操作失败，请稍后重试';
}

Component({
  data: {
    ticket: '',
    loading: true,
    busy: false,
    info: null, // {account, roles, browser, ip}
    state: 'pending', // pending | confirmed | cancelled | failed
    error: '',
    secondsLeft: 0,
  },

  methods: {
    onLoad(options) {
      const ticket = ticketFrom(options);
      this.setData({ ticket });
      if (!ticket) {
        this.setData({ loading: false, state: 'failed', error: REASONS.login_ticket_not_found });
        return;
      }
      this.open();
    },

    onUnload() {
      if (this._tick) clearInterval(this._tick);
    },

    async open() {
      try {
        await auth.ensureLogin();
        const ticket = await consoleService.scanTicket(this.data.ticket, { silent: true });
        this.show(ticket);
      } catch (e) {
        this.setData({ state: 'failed', error: reasonOf(e) });
      } finally {
        this.setData({ loading: false });
      }
    },

    show(ticket) {
      const user = ticket.user || {};
      const client = ticket.client || {};
      this.setData({
        info: {
          account: user.nickname || '',
          roles: (user.role_names || []).join('、'),
          browser: client.browser || '浏览器',
          ip: client.ip || '',
        },
      });
      this._expiresAt = Date.parse(ticket.expires_at);
      if (!Number.isNaN(this._expiresAt)) {
        const update = () => {
          const left = Math.max(0, Math.round((this._expiresAt - Date.now()) / 1000));
          this.setData({ secondsLeft: left });
          if (left === 0 && this.data.state === 'pending') {
            clearInterval(this._tick);
            this.setData({ state: 'failed', error: REASONS.login_ticket_expired });
          }
        };
        update();
        this._tick = setInterval(update, 1000);
      }
    },

    async onConfirm() {
      if (this.data.busy || this.data.state !== 'pending') return;
      this.setData({ busy: true });
      try {
        await consoleService.confirmTicket(this.data.ticket, { silent: true });
        if (this._tick) clearInterval(this._tick);
        this.setData({ state: 'confirmed' });
        if (wx.vibrateShort) wx.vibrateShort({ type: 'light' });
      } catch (e) {
        this.setData({ state: 'failed', error: reasonOf(e) });
      } finally {
        this.setData({ busy: false });
      }
    },

    async onCancel() {
      if (this.data.busy) return;
      this.setData({ busy: true });
      try {
        if (this.data.state === 'pending') await consoleService.cancelTicket(this.data.ticket, { silent: true });
      } catch (e) {
        // The PC's code expires by itself; nothing else to undo.
      } finally {
        if (this._tick) clearInterval(this._tick);
        this.setData({ busy: false, state: 'cancelled' });
      }
    },

    onDone() {
      wx.navigateBack({ fail: () => wx.switchTab({ url: '/pages/home/index' }) });
    },
  },
});
