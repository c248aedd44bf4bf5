// The server side of subscribe messages for unit tests: GET /notification-templates and
// POST /me/subscriptions over the wx.request stub. `posted` collects the reported answers.
const TEMPLATES = {
  items: [
    { kind: 'volunteer_review', template_id: 'T-REVIEW', title: '志愿者审核结果通知' },
    { kind: 'enrollment_result', template_id: 'T-ENROLL', title: '活动报名结果通知' },
    { kind: 'activity_reminder', template_id: 'T-REMIND', title: '活动开始提醒' },
    { kind: 'waitlist_promotion', template_id: 'T-WAIT', title: '候补转正通知' },
    { kind: 'award_result', template_id: 'T-AWARD', title: '表彰审批结果通知' },
    { kind: 'service_request_update', template_id: 'T-SR', title: '服务进度通知' },
  ],
};

// handler for wx.__setRequestHandler; `fallback(options)` answers every other URL.
function templateServer(posted, fallback) {
  return (options) => {
    if (options.url.endsWith('/notification-templates')) return { statusCode: 200, data: TEMPLATES };
    if (options.url.endsWith('/me/subscriptions')) {
      posted.push(options.data);
      return { statusCode: 200, data: { items: [] } };
    }
    if (fallback) return fallback(options);
    return { statusCode: 404, data: { code: 'not_found', message: '资源不存在' } };
  };
}

// Whether wx.requestSubscribeMessage ran before `mockFn` was first called.
function promptedBefore(mockFn) {
  const prompt = wx.requestSubscribeMessage.mock.invocationCallOrder[0];
  const other = mockFn.mock.invocationCallOrder[0];
  return prompt !== undefined && (other === undefined || prompt < other);
}

module.exports = { TEMPLATES, templateServer, promptedBefore };
