// Presentation helpers shared by the activity pages.
const {
  ACTIVITY_CATEGORY_LABELS,
  ACTIVITY_STATUS_LABELS,
  ENROLLMENT_STATUS_LABELS,
} = require('./constants');
const { formatTimeRange, formatDateTime } = require('./format');
const { tagTheme } = require('./tags');

function distanceText(meters) {
  if (meters === null || meters === undefined) return '';
  if (meters < 1000) return `${Math.round(meters)}米`;
  return `${(meters / 1000).toFixed(1)}公里`;
}

function hoursText(minutes) {
  const hours = Math.round(((minutes || 0) / 60) * 10) / 10;
  return `${hours}小时`;
}

function presentActivity(activity) {
  const capacity = activity.capacity || 0;
  const enrolled = activity.enrolled_count || 0;
  const phase = activity.phase || activity.status;
  return Object.assign({}, activity, {
    categoryText: ACTIVITY_CATEGORY_LABELS[activity.category] || activity.category_name || '',
    statusText: ACTIVITY_STATUS_LABELS[phase] || ACTIVITY_STATUS_LABELS[activity.status] || '',
    statusTheme: tagTheme(phase),
    timeText: formatTimeRange(activity.start_at, activity.end_at),
    deadlineText: formatDateTime(activity.enroll_deadline),
    quotaText: capacity ? `${enrolled}/${capacity} 人` : `已报名 ${enrolled} 人`,
    isFull: capacity > 0 && enrolled >= capacity,
    distanceText: distanceText(activity.distance_m),
    pointsText: activity.points_mode === 'fixed'
      ? `${activity.points_value} 积分`
      : `${activity.points_value} 积分/小时`,
  });
}

function enrollmentStatusText(status) {
  return ENROLLMENT_STATUS_LABELS[status] || '';
}

module.exports = { presentActivity, enrollmentStatusText, distanceText, hoursText };
