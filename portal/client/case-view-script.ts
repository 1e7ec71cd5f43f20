/**
 * The case's status page: its steps, the next step, the lines and replacements, and what happens
 * with the money.
 */
export const caseViewScript = String.raw`
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
`;
