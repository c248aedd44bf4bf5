// 扫码登录工作台: the mini-program side of the console's login tickets (docs/API.md,
// "Console login"). The ticket is the scene of the code the PC shows.
const { post } = require('../../../utils/request');

const path = (ticket, action) => `/console/login-tickets/${encodeURIComponent(ticket)}/${action}`;

// The confirm page opened: the PC shows "已扫码". → {ticket, status, expires_at, client, user}
function scanTicket(ticket, options) {
  return post(path(ticket, 'scan'), {}, options);
}

function confirmTicket(ticket, options) {
  return post(path(ticket, 'confirm'), {}, options);
}

function cancelTicket(ticket, options) {
  return post(path(ticket, 'cancel'), {}, options);
}

module.exports = { scanTicket, confirmTicket, cancelTicket };
