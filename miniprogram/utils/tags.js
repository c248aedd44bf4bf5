// The colour (TDesign <t-tag theme>) of a status, one table for every page: green = done or
// approved, orange = waiting for someone, red = refused or overdue, grey = over or withdrawn,
// brand = in progress.
const THEMES = {
  // service requests
  submitted: 'warning',
  assigned: 'primary',
  in_progress: 'primary',
  resolved: 'success',
  closed: 'default',
  rejected: 'danger',
  cancelled: 'default',
  reopened: 'warning',
  // volunteers, nominations, expenses
  pending: 'warning',
  approved: 'success',
  suspended: 'default',
  draft: 'default',
  paid: 'success',
  // enrollments
  enrolled: 'success',
  waitlisted: 'warning',
  removed: 'default',
  no_show: 'danger',
  // activity phases
  enrolling: 'primary',
  upcoming: 'warning',
  ongoing: 'success',
  ended: 'default',
  completed: 'default',
  published: 'primary',
};

function tagTheme(status) {
  return THEMES[status] || 'default';
}

module.exports = { tagTheme };
