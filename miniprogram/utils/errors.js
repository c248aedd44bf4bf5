// Flatten the `errors` of a 422 envelope into {field: "first message"}.
// Accepts {field: "msg"}, {field: ["msg", ...]} and the flask-smorest/webargs
// shape {json: {field: [...]}} (also "query"/"form").
function fieldErrors(envelope) {
  const out = {};
  if (!envelope || !envelope.errors || typeof envelope.errors !== 'object') return out;
  let errors = envelope.errors;
  const locations = ['json', 'query', 'form', 'querystring'];
  const nested = locations.filter((loc) => errors[loc] && typeof errors[loc] === 'object');
  if (nested.length) {
    errors = nested.reduce((acc, loc) => Object.assign(acc, errors[loc]), {});
  }
  Object.keys(errors).forEach((field) => {
    const value = errors[field];
    if (Array.isArray(value)) {
      out[field] = String(value[0]);
    } else if (value && typeof value === 'object') {
      // Nested field errors (e.g. skills: {0: [...]}): keep the first message.
      const first = Object.values(value)[0];
      out[field] = String(Array.isArray(first) ? first[0] : first);
    } else if (value != null) {
      out[field] = String(value);
    }
  });
  return out;
}

module.exports = { fieldErrors };
