/**
 * Following a case: opening it (remembered for a reload) and asking for news every
 * PORTAL_POLL_MS until it reaches a final status.
 */

/** How often the status page asks for news (milliseconds). */
export const PORTAL_POLL_MS = 3000;

export const caseScript = String.raw`
const FINAL = ['completed', 'cancelled', 'expired', 'rejected'];
const POLL_MS = ${PORTAL_POLL_MS};

function stopPoll() {
  clearTimeout(state.poll);
  state.poll = 0;
}

async function openCase(id, view) {
  stopPoll();
  store.setItem('portal-case', id);
  try {
    state.view = view ?? (await api('GET', '/v1/portal/returns/' + encodeURIComponent(id)));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    store.removeItem('portal-case');
    if (state.order) showOrder();
    $('notice').textContent = err instanceof ApiError && err.status === 404 ? t('error.case_not_found') : problemText(err);
    return;
  }
  $('notice').textContent = '';
  renderCase();
  show('case-view');
  schedulePoll();
}

function schedulePoll() {
  stopPoll();
  if (state.view && !FINAL.includes(state.view.status)) state.poll = setTimeout(refreshCase, POLL_MS);
}

async function refreshCase() {
  if (!state.view || currentView() !== 'case-view') return;
  try {
    state.view = await api('GET', '/v1/portal/returns/' + encodeURIComponent(state.view.id));
    $('case-notice').textContent = '';
    renderCase();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    $('case-notice').textContent = t('error.update_failed');
  }
  schedulePoll();
}
`;
