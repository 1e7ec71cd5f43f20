/**
 * Signing in with order number and e-mail (the session's token and language), and signing out,
 * which forgets the token and clears the form.
 */
export const signInScript = String.raw`
async function signIn(e) {
  e.preventDefault();
  const message = $('signin-error');
  message.textContent = '';
  const button = $('signin-submit');
  button.disabled = true;
  $('signin-status').textContent = t('signin.checking');
  try {
    state.token = null;
    const session = await api('POST', '/v1/portal/sessions', {
      orderId: $('order-number').value.trim(),
      email: $('order-email').value.trim(),
    });
    state.token = session.token;
    store.setItem('portal-token', session.token);
    store.removeItem('portal-case');
    if (!state.langFixed) {
      state.langFixed = true;
      await setLang(supported(session.locale) || 'en', false);
    }
    await loadOrder();
    showOrder();
  } catch (err) {
    message.textContent =
      err instanceof ApiError && err.status === 404
        ? t('signin.not_found')
        : err instanceof ApiError && err.status === 422
          ? t('signin.invalid')
          : problemText(err);
    $('order-number').focus();
  } finally {
    button.disabled = false;
    $('signin-status').textContent = '';
  }
}

function signOut(why) {
  stopPoll();
  state.token = null;
  state.order = null;
  state.view = null;
  state.formFor = null;
  store.removeItem('portal-token');
  store.removeItem('portal-case');
  $('lines').replaceChildren();
  $('refund-methods').replaceChildren();
  $('exchange-choices').replaceChildren();
  $('return-form').reset();
  $('signin-error').textContent = why || '';
  show('signin-view');
}
`;
