// Presentation helpers shared by the resident and handler pages of service requests.
const { SERVICE_STATUS, SERVICE_TIERS } = require('./constants');
const { formatDateTime } = require('./format');
const { tagTheme } = require('./tags');

const URGENCY_LABELS = { normal: '一般', urgent: '紧急' };

function present(req) {
  return Object.assign({}, req, {
    statusText: req.status_name || SERVICE_STATUS[req.status] || req.status,
    statusTheme: tagTheme(req.status),
    tierText: req.tier_name || SERVICE_TIERS[req.tier] || '',
    urgencyText: URGENCY_LABELS[req.urgency] || '',
    createdText: formatDateTime(req.created_at),
    acceptDueText: formatDateTime(req.accept_due_at),
    resolveDueText: formatDateTime(req.resolve_due_at),
    regionText: req.region ? req.region.name : '',
    assigneeText: req.assignee ? `${req.assignee.nickname}${req.assignee.role_name ? `(${req.assignee.role_name})` : ''}` : '',
  });
}

function timeline(req) {
  return (req.timeline || []).map((e) => ({
    id: e.id,
    title: e.action_name,
    who: e.actor_label,
    note: e.note,
    tierText: e.tier_name,
    timeText: formatDateTime(e.created_at),
    assigneeText: e.assignee ? e.assignee.nickname : '',
  }));
}

// {action: true} for the actions the server says the viewer may take.
function actionFlags(req) {
  const flags = {};
  (req.actions || []).forEach((a) => {
    flags[a.action] = true;
  });
  return flags;
}

// A modal with a text box; resolves with the text, or null when cancelled or left empty
// while required.
function promptText(title, placeholder, required) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder || '',
      success: (res) => {
        if (!res.confirm) return resolve(null);
        const text = String(res.content || '').trim();
        if (required && !text) {
          wx.showToast({ title: '请填写内容', icon: 'none' });
          return resolve(null);
        }
        return resolve(text);
      },
      fail: () => resolve(null),
    });
  });
}

module.exports = { present, timeline, actionFlags, promptText, URGENCY_LABELS };
