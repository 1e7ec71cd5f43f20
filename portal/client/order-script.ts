/**
 * The order view: the token's order with its cases, a block per line (what can still come back, or
 * why not) and the refund methods the order allows.
 */
export const orderScript = String.raw`
async function loadOrder() {
  const order = await api('GET', '/v1/portal/order?locale=' + encodeURIComponent(state.lang));
  order.reasonsLang = state.lang;
  state.order = order;
  if (!state.langFixed) {
    state.langFixed = true;
    await setLang(supported(order.locale) || 'en', false);
  }
  return order;
}

function showOrder() {
  stopPoll();
  store.removeItem('portal-case');
  renderOrder();
  show('order-view');
}

function returnableLines() {
  return state.order.lines.map((line, i) => ({ line, i })).filter(({ line }) => line.returnableQuantity > 0);
}

function lineBlock(line, i) {
  const o = state.order;
  const facts = t('line.facts', {
    ordered: line.quantity,
    returned: line.returnedQuantity,
    price: fmtMoney(line.unitPrice, o.currency),
  });
  if (line.returnableQuantity <= 0) {
    return el(
      'div',
      { class: 'line', 'data-line': line.orderLineId },
      el('p', { class: 'line-name', text: line.name }),
      el('p', { class: 'facts', text: facts }),
      el('p', { class: 'why', text: t('why.' + (line.notReturnableReason || 'not_returnable')) }),
    );
  }
  const id = 'line-' + i;
  return el(
    'div',
    { class: 'line', 'data-line': line.orderLineId },
    el(
      'div',
      { class: 'check' },
      el('input', { type: 'checkbox', id: id + '-pick', 'aria-describedby': id + '-facts', onchange: updateForm }),
      el('label', { for: id + '-pick', text: line.name }),
    ),
    el('p', { class: 'facts', id: id + '-facts', text: facts }),
    el(
      'div',
      { class: 'line-details', id: id + '-details' },
      el('label', { for: id + '-qty', text: t('line.quantity', { max: line.returnableQuantity }) }),
      el('input', {
        type: 'number',
        id: id + '-qty',
        min: 1,
        max: line.returnableQuantity,
        value: 1,
        inputmode: 'numeric',
        oninput: updateSummary,
      }),
      el('label', { for: id + '-reason', text: t('line.reason') }),
      el(
        'select',
        { id: id + '-reason', onchange: updateSummary },
        el('option', { value: '', text: t('line.reason_choose') }),
        ...o.reasons.map((r) => el('option', { value: r.code, text: r.label })),
      ),
    ),
  );
}

function methodOption(id, value, label, hint, disabled) {
  return el(
    'div',
    { class: 'choice' },
    el('input', {
      type: 'radio',
      name: 'refund',
      id,
      value,
      disabled,
      'aria-describedby': id + '-hint',
      onchange: updateForm,
    }),
    el('label', { for: id }, label, el('span', { class: 'hint', id: id + '-hint', text: hint })),
  );
}

function renderOrder() {
  const o = state.order;
  const same = state.formFor === o.orderId;
  const saved = same ? fieldValues($('return-form')) : {};
  const windowOpen = new Date(o.returnWindowEndsAt).getTime() > Date.now();
  $('order-summary').replaceChildren(
    el('p', { id: 'order-number-text', text: t('order.number', { orderId: o.orderId }) }),
    el('p', { text: t('order.placed', { date: fmtDate(o.placedAt) }) }),
    el('p', {
      class: windowOpen ? '' : 'why',
      text: t(windowOpen ? 'order.window_open' : 'order.window_closed', { date: fmtDate(o.returnWindowEndsAt) }),
    }),
  );
  $('order-cases').replaceChildren(
    ...(o.cases.length
      ? [
          el('h3', { text: t('order.cases_title') }),
          el(
            'ul',
            { class: 'plain' },
            ...o.cases.map((c) =>
              el(
                'li',
                {},
                el('button', {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => openCase(c.id),
                  text: t('order.case_item', {
                    id: c.id,
                    date: fmtDate(c.createdAt),
                    status: t('status.' + c.status),
                  }),
                }),
              ),
            ),
          ),
        ]
      : []),
  );
  $('lines').replaceChildren(...o.lines.map(lineBlock));
  const bonus = o.refundOptions.storeCreditBonusPercent;
  const canExchange = returnableLines().some(({ line }) => line.exchangeOptions.some((x) => x.inStock));
  $('refund-methods').replaceChildren(
    methodOption('refund-original', 'original_payment', t('refund.original_payment'), t('refund.original_payment_hint')),
    methodOption(
      'refund-credit',
      'store_credit',
      t('refund.store_credit'),
      bonus > 0 ? t('refund.store_credit_bonus', { percent: fmtPercent(bonus) }) : t('refund.store_credit_hint'),
    ),
    methodOption(
      'refund-exchange',
      'exchange',
      t('refund.exchange'),
      canExchange ? t('refund.exchange_hint') : t('refund.exchange_none'),
      !canExchange,
    ),
  );
  $('refund-original').checked = true;
  if (!same) {
    // A new order: prefill the return address from the order, clear the rest.
    const a = o.customer.address;
    $('address-line1').value = a?.lines[0] ?? '';
    $('address-line2').value = a?.lines.slice(1).join(', ') ?? '';
    $('address-postal').value = a?.postalCode ?? '';
    $('address-city').value = a?.city ?? '';
    $('address-country').value = a?.country ?? '';
    $('note').value = '';
    $('return-error').replaceChildren();
    state.formFor = o.orderId;
  }
  $('no-returnable').hidden = returnableLines().length > 0;
  $('return-form').hidden = returnableLines().length === 0;
  restoreValues(saved);
  updateForm();
  restoreValues(saved);
  updateSummary();
}
`;
