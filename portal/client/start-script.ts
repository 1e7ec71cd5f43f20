/**
 * Starting the page: wiring the controls, picking the language (the customer's choice, else the
 * browser's), taking the token from an e-mail link, and showing the case or the order. Runs last:
 * every other part is declared by then.
 */
export const startScript = String.raw`
async function start() {
  $('lang').addEventListener('change', (e) => void setLang(e.target.value, true));
  $('signin-form').addEventListener('submit', signIn);
  $('return-form').addEventListener('submit', submitReturn);
  $('sign-out').addEventListener('click', () => signOut(''));
  $('download-label').addEventListener('click', () => void downloadLabel());
  $('case-back').addEventListener('click', async () => {
    await loadOrder().catch(() => undefined);
    if (state.order) showOrder();
  });

  const chosen = supported(store.getItem('portal-lang'));
  const browser =
    [...(navigator.languages || []), navigator.language].map(supported).find(Boolean) ||
    supported(document.documentElement.dataset.acceptLanguage);
  state.langFixed = Boolean(chosen || browser);
  await setLang(chosen || browser || 'en', false);

  // An e-mail link: /portal#case=<id>&token=<token>. The token leaves the address bar at once.
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    state.token = hash.get('token');
    store.setItem('portal-token', state.token);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const caseId = hash.get('case') || store.getItem('portal-case');
  if (!state.token) return show('signin-view');
  try {
    await loadOrder();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) $('signin-error').textContent = problemText(err);
    return show('signin-view');
  }
  if (caseId) await openCase(caseId);
  else showOrder();
}

void start().finally(() => document.body.setAttribute('data-ready', 'true'));
`;
