/**
 * The return form: what the customer picked, the parts that depend on it (line details, exchange
 * variants, fees summary), the checks before sending and `POST /v1/portal/returns`.
 */
export const returnFormScript = String.raw`
/** The lines the customer ticked, with quantity and reason. */
function pickedLines() {
  return returnableLines()
    .filter(({ i }) => $('line-' + i + '-pick')?.checked)
    .map(({ line, i }) => ({
      line,
      i,
      qty: Number($('line-' + i + '-qty').value),
      reason: $('line-' + i + '-reason').value,
    }));
}

const chosenMethod = () => document.querySelector('input[name="refund"]:checked')?.value ?? 'original_payment';

function fieldValues(container) {
  const values = {};
  for (const e of container.querySelectorAll('input, select')) {
    if (e.id) values[e.id] = e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value;
  }
  return values;
}
function restoreValues(values) {
  for (const [id, v] of Object.entries(values)) {
    const e = $(id);
    if (!e) continue;
    if (typeof v === 'boolean') e.checked = v;
    else if (!(e.tagName === 'SELECT' && ![...e.options].some((o) => o.value === v && !o.disabled))) e.value = v;
  }
}

/** Shows what depends on the choices: each picked line's details, the exchange variants, the summary. */
function updateForm() {
  if (!state.order) return;
  for (const { i } of returnableLines()) {
    const picked = $('line-' + i + '-pick').checked;
    $('line-' + i + '-details').hidden = !picked;
    $('line-' + i + '-qty').disabled = !picked;
    $('line-' + i + '-reason').disabled = !picked;
  }
  const box = $('exchange-choices');
  const exchange = chosenMethod() === 'exchange';
  box.hidden = !exchange;
  if (exchange) {
    const kept = fieldValues(box);
    const picked = pickedLines();
    box.replaceChildren(
      el('h3', { text: t('exchange.title') }),
      ...(picked.length ? [] : [el('p', { class: 'hint', text: t('exchange.pick_first') })]),
      ...picked.map(({ line, i }) => {
        const id = 'line-' + i + '-variant';
        if (!line.exchangeOptions.length)
          return el('p', { class: 'why', text: t('exchange.no_options', { name: line.name }) });
        return el(
          'div',
          {},
          el('label', { for: id, text: t('exchange.variant_for', { name: line.name }) }),
          el(
            'select',
            { id, onchange: updateSummary },
            el('option', { value: '', text: t('exchange.choose') }),
            ...line.exchangeOptions.map((x) =>
              el('option', {
                value: x.sku,
                disabled: !x.inStock,
                text: x.inStock ? x.name : t('exchange.sold_out', { name: x.name }),
              }),
            ),
          ),
        );
      }),
    );
    restoreValues(kept);
  }
  updateSummary();
}

/** The fees and what the customer gets, before confirming. */
function updateSummary() {
  if (!state.order) return;
  const o = state.order;
  const opts = o.refundOptions;
  const currency = opts.currency || o.currency;
  const picked = pickedLines();
  const method = chosenMethod();
  const rows = [];
  if (!picked.length) rows.push(t('summary.nothing'));
  else {
    const count = picked.reduce((s, p) => s + (p.qty || 0), 0);
    const value = picked.reduce((s, p) => s + p.line.unitPrice * (p.qty || 0), 0);
    rows.push(t('summary.items', { count, amount: fmtMoney(value, currency) }));
    if (method === 'exchange') rows.push(t('summary.exchange'));
    else rows.push(t(method === 'store_credit' ? 'summary.to_store_credit' : 'summary.to_original_payment'));
    if (method === 'store_credit' && opts.storeCreditBonusPercent > 0)
      rows.push(t('summary.bonus', { percent: fmtPercent(opts.storeCreditBonusPercent) }));
    const waived = picked.some((p) => opts.feeFreeReasons.includes(p.reason));
    if (opts.returnShippingFee > 0)
      rows.push(waived ? t('summary.fee_waived') : t('summary.fee', { amount: fmtMoney(opts.returnShippingFee, currency) }));
    else rows.push(t('summary.no_fee'));
  }
  $('summary-rows').replaceChildren(...rows.map((r) => el('li', { text: r })));
  $('summary-rule').hidden = !(opts.returnShippingFee > 0);
}

function returnAddress() {
  const lines = [$('address-line1').value, $('address-line2').value].map((s) => s.trim()).filter(Boolean);
  return {
    lines,
    postalCode: $('address-postal').value.trim(),
    city: $('address-city').value.trim(),
    country: $('address-country').value.trim().toUpperCase(),
  };
}

function showErrors(messages) {
  const box = $('return-error');
  box.replaceChildren(...(messages.length ? [el('ul', {}, ...messages.map((m) => el('li', { text: m })))] : []));
  if (messages.length) box.focus();
}

async function submitReturn(e) {
  e.preventDefault();
  const o = state.order;
  const picked = pickedLines();
  const method = chosenMethod();
  const problems = [];
  if (!picked.length) problems.push(t('error.pick_line'));
  for (const p of picked) {
    if (!(Number.isInteger(p.qty) && p.qty >= 1 && p.qty <= p.line.returnableQuantity))
      problems.push(t('error.quantity', { name: p.line.name, max: p.line.returnableQuantity }));
    if (!p.reason) problems.push(t('error.pick_reason', { name: p.line.name }));
  }
  const body = {
    orderId: o.orderId,
    method: method === 'exchange' ? 'exchange' : 'return_to_stock',
    lines: picked.map((p) => ({ orderLineId: p.line.orderLineId, quantity: p.qty, reason: p.reason })),
  };
  if (method === 'exchange') {
    body.replacements = picked.map((p) => ({ sku: $('line-' + p.i + '-variant')?.value ?? '', quantity: p.qty }));
    if (body.replacements.some((r) => !r.sku)) problems.push(t('error.pick_variant'));
  } else body.refundMethod = method;
  const address = returnAddress();
  const original = o.customer.address;
  const changed =
    JSON.stringify(address) !==
    JSON.stringify(original ? { ...original, lines: [original.lines[0], original.lines.slice(1).join(', ')].filter(Boolean) } : { lines: [], postalCode: '', city: '', country: '' });
  if (changed) {
    if (!address.lines.length || !address.postalCode || !address.city || !/^[A-Z]{2}$/.test(address.country))
      problems.push(t('error.address'));
    body.returnAddress = address;
  }
  const note = $('note').value.trim();
  if (note) body.note = note;
  if (problems.length) return showErrors(problems);
  showErrors([]);
  const button = $('confirm');
  button.disabled = true;
  $('confirm-status').textContent = t('order.sending');
  try {
    const view = await api('POST', '/v1/portal/returns', body);
    state.formFor = null;
    await loadOrder().catch(() => undefined);
    await openCase(view.id, view);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    showErrors([problemText(err), ...(err.problem?.errors ?? []).map((x) => x.field + ': ' + x.detail)]);
  } finally {
    button.disabled = false;
    $('confirm-status').textContent = '';
  }
}
`;
