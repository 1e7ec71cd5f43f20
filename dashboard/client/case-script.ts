/** Browser code of a case's page: everything the case view holds, and the actions the case allows now. */
export const caseScript = `
const caseId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const meta = (name) => document.querySelector('meta[name="' + name + '"]')?.getAttribute('content') ?? '';
const FINAL = ['completed', 'cancelled', 'expired', 'rejected'];
const EXTENDABLE = ['approval', 'parcel', 'receipt', 'inspection'];
const CONDITIONS = ['new', 'opened', 'damaged', 'defective'];
const DISPOSITIONS = ['restock', 'refurbish', 'scrap'];

$('case-id').textContent = caseId;
document.title = 'Case ' + caseId + ' — managers\\' dashboard';
$('temporal-link').href = meta('temporal-ui') + '/namespaces/' + enc(meta('temporal-namespace')) + '/workflows/' + enc('ReturnCase:' + caseId);

function facts(c) {
  const box = $('facts');
  box.replaceChildren();
  const rows = [
    ['Status', c.status], ['Waiting for', c.waitingFor ?? '—'], ['Waiting since', when(c.waitingSince)],
    ['Deadline', when(c.deadline)], ['Order', c.orderId], ['Customer', c.customerId], ['Method', c.method],
    ['Channel', c.channel], ['Market', c.policy?.market ?? ''], ['Refund method', c.refundMethod],
    ['Refund due by', when(c.refundDueBy)], ['Opened', when(c.createdAt)], ['Closed', when(c.closedAt)],
    ['Note', c.note ?? ''],
  ];
  if (c.approvalReason) rows.push(['Why it needs approval', c.approvalReason]);
  for (const [k, v] of rows) box.append(el('dt', k), el('dd', v));
}

/** Why the case is stuck and since when: the timeline entry that raised its current stuck reason. */
function stuckBox(c) {
  const box = $('stuck-box');
  box.hidden = !c.stuck;
  box.replaceChildren();
  if (!c.stuck) return;
  const raised = [...(c.timeline ?? [])].reverse().find((e) => e.detail && e.detail.reason === c.stuckReason);
  box.append(el('strong', 'Stuck: '), el('span', c.stuckReason ?? 'deadline missed', { id: 'stuck-reason' }));
  if (raised) box.append(el('span', ' — since ' + when(raised.at) + ' (' + age(raised.at) + ')', { id: 'stuck-since' }));
}

/** A small form whose submit calls the API, then reloads the case. */
function actionForm(title, fields, submitLabel, send) {
  const form = el('form', null, { 'data-action': title });
  form.append(el('strong', title), el('br'));
  for (const f of fields) form.append(f, ' ');
  form.append(el('button', submitLabel, { type: 'submit' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showStatus(title + '…');
    try { await send(); await load(); showStatus(title + ': done'); }
    catch (err) { showStatus(title + ': ' + err.message, true); }
  });
  return form;
}

function input(name, attrs = {}) {
  const label = el('label', name + ' ');
  const i = el('input', null, { name, ...attrs });
  label.append(i);
  return label;
}
function select(name, values, text = name) {
  const label = el('label', text + ' ');
  const s = el('select', null, { name });
  for (const v of values) s.append(el('option', v, { value: v }));
  label.append(s);
  return label;
}
const valueOf = (label) => label.querySelector('input, select').value;

function actions(c) {
  const box = $('actions');
  box.replaceChildren();
  const path = '/v1/returns/' + enc(c.id);
  const open = !FINAL.includes(c.status);
  if (c.waitingFor === 'approval') {
    for (const [title, approved] of [['Approve', true], ['Reject', false]]) {
      const note = input('note', { placeholder: 'optional' });
      box.append(actionForm(title, [note], title, () =>
        api('POST', path + '/approval', { approved, ...(valueOf(note) ? { note: valueOf(note) } : {}) })));
    }
  }
  if (open && EXTENDABLE.includes(c.waitingFor) && c.deadline) {
    const by = input('extendBy', { value: 'P7D', size: '8', required: '' });
    const reason = input('reason', { required: '', placeholder: 'why' });
    box.append(actionForm('Extend the deadline', [by, reason], 'Extend', () =>
      api('POST', path + '/deadline', { extendBy: valueOf(by).trim(), reason: valueOf(reason) })));
  }
  if (c.waitingFor === 'inspection') {
    const perLine = c.lines.flatMap((l) => [el('span', l.quantity + ' × ' + l.sku + ':'), select('condition:' + l.orderLineId, CONDITIONS, 'condition'), select('disposition:' + l.orderLineId, DISPOSITIONS, 'disposition'), el('br')]);
    const note = input('note', { placeholder: 'optional' });
    box.append(actionForm('Record the inspection', [el('br'), ...perLine, note], 'Record', () => api('POST', path + '/inspection', {
      lines: c.lines.map((l) => ({
        orderLineId: l.orderLineId,
        condition: box.querySelector('select[name="condition:' + l.orderLineId + '"]').value,
        disposition: box.querySelector('select[name="disposition:' + l.orderLineId + '"]').value,
      })),
      note: 'on behalf of the warehouse' + (valueOf(note) ? ': ' + valueOf(note) : ''),
    })));
  }
  if (c.label && (c.waitingFor === 'parcel' || c.waitingFor === 'receipt')) {
    box.append(actionForm('Resend the label', [], 'Resend', () => api('POST', path + '/label/resend')));
  }
  for (const r of c.refunds.filter((r) => r.status === 'failed')) {
    box.append(actionForm('Retry refund ' + r.id, [el('span', money(r.amount, r.currency) + ' via ' + r.provider + ': ' + (r.failureReason ?? 'failed'))], 'Retry', () =>
      api('POST', '/v1/refunds/' + enc(r.id) + '/retry')));
  }
  if (open) {
    const reason = input('reason', { required: '', placeholder: 'why' });
    box.append(actionForm('Cancel the case', [reason], 'Cancel case', () => api('POST', path + '/cancel', { reason: valueOf(reason) })));
  }
  if (!box.firstChild) box.append(el('p', 'Nothing to do: the case is ' + c.status + '.', { class: 'empty' }));
}

const json = (v) => el('pre', JSON.stringify(v, null, 1));

function render(c) {
  $('case-status').textContent = c.status + (c.stuck ? ' · stuck' : '');
  facts(c);
  stuckBox(c);
  actions(c);
  table('lines', ['Line', 'SKU', 'Quantity', 'Reason', 'Condition', 'Disposition'],
    c.lines.map((l) => [l.orderLineId, l.sku, String(l.quantity), l.reason, l.condition ?? '', l.disposition ?? '']));
  table('parcels', ['Parcel', 'Carrier', 'Tracking number', 'Label', 'Received'],
    c.parcels.map((p) => [String(p.parcelNo), p.carrier, p.trackingNumber, p.url ?? '', when(p.receivedAt)]));
  const inspected = (c.timeline ?? []).filter((e) => e.type === 'inspected');
  table('inspection', ['At', 'By', 'Note', 'Lines'], inspected.map((e) => [when(e.at), e.detail?.by ?? '', e.detail?.note ?? '',
    (e.detail?.lines ?? []).map((l) => l.orderLineId + ': ' + l.condition + ', ' + l.disposition).join('; ')]));
  table('credit-notes', ['Number', 'Amount'], c.creditNotes.map((n) => [n.number, money(n.amount, n.currency)]));
  table('refunds', ['Refund', 'Provider', 'Amount', 'Status', 'Why', 'Settled'],
    c.refunds.map((r) => [r.id, r.provider, money(r.amount, r.currency), r.status, r.failureReason ?? '', when(r.settledAt)]));
  table('emails', ['Kind', 'To', 'Subject', 'Status', 'Sent'], (c.emails ?? []).map((m) => [m.kind, m.recipient, m.subject, m.status, when(m.sentAt)]));
  table('timeline', ['At', 'Event', 'Detail'], (c.timeline ?? []).map((e) => [when(e.at), e.type, json(e.detail)]));
  $('policy').textContent = JSON.stringify(c.policy, null, 2);
}

async function load() {
  showStatus('Loading…');
  try {
    render(await api('GET', '/v1/returns/' + enc(caseId)));
    showStatus('Updated ' + new Date().toLocaleTimeString());
  } catch (err) {
    showStatus(err.message, true);
  }
}

startPage(load);
`;
