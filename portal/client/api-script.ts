/**
 * Calls to the portal JSON API with the customer's token; a refusal becomes an ApiError, and an
 * expired token signs the customer out.
 */
export const apiScript = String.raw`
class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || 'HTTP ' + status);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body) {
  const headers = {};
  if (state.token) headers.authorization = 'Bearer ' + state.token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new ApiError(res.status, data, Number(res.headers.get('retry-after')) || undefined);
    if (res.status === 401 && state.token) signOut(t('error.session_expired'));
    throw err;
  }
  return data;
}

/** The text for an API error the page has no better words for. */
function problemText(err) {
  if (err instanceof ApiError && err.status === 429) return t('error.rate_limited', { seconds: err.retryAfter ?? 60 });
  if (err instanceof ApiError) return t('error.refused', { detail: err.message });
  return t('error.network');
}
`;
