/**
 * The portal's script (`GET /portal/app.js`), plain browser JavaScript without a build step. It talks
 * only to the portal API with the customer's token (sessionStorage), renders every value with
 * textContent / DOM nodes (never HTML strings) and takes every text from /portal/texts/<lang>.
 * Dynamic text keys use the prefixes `status.`, `next.`, `why.`, `refund_status.` (checked by the
 * texts test against the API's enumerations).
 */

/** The JSON API paths the script calls (a test checks each exists in the OpenAPI document). */
export const PORTAL_API_CALLS = [
  { method: 'post', path: '/v1/portal/sessions' },
  { method: 'get', path: '/v1/portal/order' },
  { method: 'post', path: '/v1/portal/returns' },
  { method: 'get', path: '/v1/portal/returns/{id}' },
  { method: 'get', path: '/v1/portal/returns/{id}/label' },
  { method: 'get', path: '/v1/portal/returns/{id}/label/qr.svg' },
] as const;

/** How often the status page asks for news (milliseconds). */
export const PORTAL_POLL_MS = 3000;

export const portalScript = String.raw`
const LANGS = ['nb', 'sv', 'da', 'fi', 'en'];
const INTL_LOCALES = { nb: 'nb-NO', sv: 'sv-SE', da: 'da-DK', fi: 'fi-FI', en: 'en-GB' };
const FINAL = ['completed', 'cancelled', 'expired', 'rejected'];
const POLL_MS = ${PORTAL_POLL_MS};
const store = window.sessionStorage;
const $ = (id) => document.getElementById(id);

const state = {
  lang: 'en',
  langFixed: false,
  texts: {},
  token: store.getItem('portal-token'),
  order: null,
  formFor: null,
  view: null,
  poll: 0,
  qr: { caseId: null, url: null },
};

/** nb-NO → nb, no/nn → nb; undefined for a language the portal does not speak. */
function supported(tag) {
  const l = String(tag || '').toLowerCase().split(/[-_]/)[0];
  if (l === 'no' || l === 'nn') return 'nb';
  return LANGS.includes(l) ? l : undefined;
}

function t(key, vars) {
  const text = state.texts[state.lang]?.[key] ?? state.texts.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (vars && vars[name] !== undefined ? String(vars[name]) : m));
}

const intlLocale = () => INTL_LOCALES[state.lang];
function fmtMoney(minor, currency) {
  const f = new Intl.NumberFormat(intlLocale(), { style: 'currency', currency });
  return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
}
const fmtDate = (iso) => new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long' }).format(new Date(iso));
const fmtPercent = (n) => new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: 2 }).format(n / 100);

/** An element; children are nodes or strings (text nodes), never HTML. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}

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

function show(viewId) {
  for (const id of ['signin-view', 'order-view', 'case-view']) $(id).hidden = id !== viewId;
  $('sign-out').hidden = viewId === 'signin-view';
  const heading = $(viewId).querySelector('h2');
  if (heading && document.activeElement && !$(viewId).contains(document.activeElement)) heading.focus();
}
const currentView = () => ['signin-view', 'order-view', 'case-view'].find((id) => !$(id).hidden);

// Language -----------------------------------------------------------------------------------

async function setLang(lang, byUser) {
  if (!state.texts[lang]) {
    const res = await fetch('/portal/texts/' + lang);
    if (!res.ok) return;
    state.texts[lang] = await res.json();
  }
  state.lang = lang;
  if (byUser) {
    store.setItem('portal-lang', lang);
    state.langFixed = true;
  }
  document.documentElement.lang = lang;
  $('lang').value = lang;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  for (const e of document.querySelectorAll('[data-t-alt]')) e.alt = t(e.dataset.tAlt);
  document.title = t('page.title', { shop: $('shop-name').textContent });
  // The reasons come from the shop in each language: ask again in this one.
  if (state.order && state.order.reasonsLang !== lang) await loadOrder().catch(() => undefined);
  if (currentView() === 'order-view' && state.order) renderOrder();
  if (currentView() === 'case-view' && state.view) renderCase();
}

// Sign-in --------------------------------------------------------------------------------------

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

// The order and the return form ------------------------------------------------------------

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

// The case's status page -------------------------------------------------------------------

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

/** The steps of a case, each done or not; a case that does not bring goods back skips the parcel's. */
function stepsOf(v) {
  const seen = new Set(v.timeline.map((e) => e.type));
  const rank = ['requested', 'awaiting_approval', 'awaiting_parcel', 'in_transit', 'received', 'inspected', 'completed'];
  const at = rank.indexOf(v.status);
  const paid =
    v.status === 'completed' || v.refunds.some((r) => r.status === 'succeeded') || Boolean(v.storeCredit);
  const moneyStep =
    v.method === 'exchange' || v.method === 'exchange_without_return'
      ? 'step.exchanged'
      : v.refundMethod === 'store_credit'
        ? 'step.credited'
        : 'step.refunded';
  const parcel = v.method === 'return_to_stock' || v.method === 'exchange';
  return [
    ['step.registered', true],
    ...(parcel
      ? [
          ['step.in_transit', at >= 3 || seen.has('in_transit')],
          ['step.received', at >= 4 || seen.has('received')],
          ['step.inspected', at >= 5 || seen.has('inspected')],
        ]
      : []),
    [moneyStep, paid],
    ['step.completed', v.status === 'completed'],
  ];
}

function reasonLabel(code) {
  return state.order?.reasons.find((r) => r.code === code)?.label ?? code;
}
function variantName(sku) {
  for (const line of state.order?.lines ?? []) for (const x of line.exchangeOptions) if (x.sku === sku) return x.name;
  return sku;
}

function renderCase() {
  const v = state.view;
  $('case-reference').textContent = t('case.reference', { id: v.id });
  $('case-status').textContent = t('status.' + v.status);
  const stopped = ['cancelled', 'expired', 'rejected'].includes(v.status);
  const steps = stepsOf(v);
  const current = steps.findIndex(([, done]) => !done);
  $('case-steps').hidden = stopped;
  $('case-steps').replaceChildren(
    ...steps.map(([key, done], i) =>
      el(
        'li',
        { 'data-state': done ? 'done' : i === current ? 'current' : 'todo', 'aria-current': i === current ? 'step' : undefined },
        el('span', { class: 'visually-hidden', text: t(done ? 'step.state_done' : i === current ? 'step.state_current' : 'step.state_todo') + ' ' }),
        t(key),
      ),
    ),
  );
  const next = v.nextStep;
  $('next-step').replaceChildren(
    el('p', { id: 'next-step-text', text: t('next.' + next.kind, { carrier: v.label?.carrier ?? '' }) }),
    ...(next.by ? [el('p', { class: 'by', text: t('next.by', { date: fmtDate(next.by) }) })] : []),
  );
  const awaitingParcel = ['requested', 'awaiting_parcel', 'in_transit'].includes(v.status);
  $('label-block').hidden = !(v.label && awaitingParcel);
  if (v.label && awaitingParcel) {
    $('label-tracking').textContent = t('label.tracking', { carrier: v.label.carrier, tracking: v.label.trackingNumber });
    void showQr(v);
  }
  $('case-lines').replaceChildren(
    ...v.lines.map((l) =>
      el('li', { text: t('case.line', { quantity: l.quantity, name: l.name, reason: reasonLabel(l.reason) }) }),
    ),
    ...v.replacements.map((r) => el('li', { text: t('case.replacement', { quantity: r.quantity, name: variantName(r.sku) }) })),
  );
  const money = [];
  money.push(
    t('case.chosen', {
      choice: t(v.method === 'exchange' || v.method === 'exchange_without_return' ? 'refund.exchange' : 'refund.' + v.refundMethod),
    }),
  );
  if (v.fees.returnShippingFee > 0) money.push(t('case.fee', { amount: fmtMoney(v.fees.returnShippingFee, v.fees.currency) }));
  // Store credit shows as the credit itself, not as a refund.
  for (const r of v.refundMethod === 'store_credit' ? [] : v.refunds)
    money.push(t('case.refund', { amount: fmtMoney(r.amount, r.currency), status: t('refund_status.' + r.status) }));
  if (v.storeCredit)
    money.push(
      t('case.store_credit', {
        amount: fmtMoney(v.storeCredit.amount, v.storeCredit.currency),
        bonus: fmtMoney(v.storeCredit.bonus, v.storeCredit.currency),
        code: v.storeCredit.code,
      }),
    );
  for (const n of v.creditNotes) money.push(t('case.credit_note', { number: n.number, amount: fmtMoney(n.amount, n.currency) }));
  if (v.refundDueBy && !FINAL.includes(v.status)) money.push(t('case.refund_due', { date: fmtDate(v.refundDueBy) }));
  $('case-money').replaceChildren(...money.map((m) => el('li', { text: m })));
  $('case-back').hidden = !state.order;
}

async function showQr(v) {
  const img = $('label-qr');
  if (state.qr.caseId === v.id && state.qr.url) {
    if (img.getAttribute('src') !== state.qr.url) img.src = state.qr.url;
    return;
  }
  state.qr.caseId = v.id;
  try {
    const res = await fetch(v.label.qrUrl, { headers: { authorization: 'Bearer ' + state.token } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const url = URL.createObjectURL(await res.blob());
    if (state.qr.url) URL.revokeObjectURL(state.qr.url);
    state.qr.url = url;
    img.src = url;
  } catch {
    state.qr.caseId = null;
    $('label-error').textContent = t('error.label');
  }
}

async function downloadLabel() {
  const v = state.view;
  if (!v?.label) return;
  const button = $('download-label');
  button.disabled = true;
  $('label-error').textContent = '';
  try {
    const res = await fetch(v.label.pdfUrl, { headers: { authorization: 'Bearer ' + state.token } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: 'return-label-' + v.label.trackingNumber.replace(/[^A-Za-z0-9_-]/g, '') + '.pdf' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch {
    $('label-error').textContent = t('error.label');
  } finally {
    button.disabled = false;
  }
}

// Start ----------------------------------------------------------------------------------------

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
