/**
 * The managers' web page (`GET /dashboard`): stuck cases to chase, decisions waiting for a manager,
 * parcels waiting for inspection and parcels on their way. A static page and script; all data comes
 * from the JSON API with the manager's own API key (kept in sessionStorage), so the API's roles and
 * validation apply unchanged. Data is rendered with textContent only, never as HTML.
 */

/** The JSON API paths the script calls (a test checks each exists in the OpenAPI document). */
export const DASHBOARD_API_CALLS = [
  { method: 'get', path: '/v1/returns' },
  { method: 'get', path: '/v1/reports/in-transit' },
  { method: 'post', path: '/v1/returns/{id}/approval' },
] as const;

export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Returns — managers' dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.8rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; } .empty { color: #777; } .error { color: #b00020; } .count { color: #555; font-weight: normal; }
  button { margin-right: .3rem; } form { margin-bottom: 1rem; } input[type=password] { width: 22rem; }
</style>
</head>
<body>
<h1>Returns — managers' dashboard</h1>
<form id="key-form">
  <label>API key (manager) <input type="password" id="api-key" autocomplete="off" required></label>
  <button type="submit">Load</button> <span id="status" role="status"></span>
</form>
<section><h2>Stuck cases <span class="count" id="stuck-count"></span></h2><div id="stuck"></div></section>
<section><h2>Waiting for a manager's decision <span class="count" id="approval-count"></span></h2><div id="approval"></div></section>
<section><h2>Received, waiting for inspection <span class="count" id="inspection-count"></span></h2><div id="inspection"></div></section>
<section><h2>Parcels on their way <span class="count" id="transit-count"></span></h2><div id="transit"></div></section>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;

export const dashboardScript = `
const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
keyInput.value = sessionStorage.getItem('returns-api-key') ?? '';

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: 'Bearer ' + keyInput.value, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.detail ?? res.status + ' ' + res.statusText);
  return data;
}

const age = (iso) => {
  if (!iso) return '';
  const h = Math.floor((Date.now() - new Date(iso).getTime()) / 3600000);
  return h >= 48 ? Math.floor(h / 24) + ' d' : h + ' h';
};

/** A table of rows; cells are text or elements, never HTML strings. */
function table(target, headers, rows) {
  const el = $(target);
  el.replaceChildren();
  if (rows.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'Nothing here.';
    el.append(p);
    return;
  }
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) { const th = document.createElement('th'); th.textContent = h; head.append(th); }
  const tbody = t.createTBody();
  for (const cells of rows) {
    const tr = tbody.insertRow();
    for (const cell of cells) { const td = tr.insertCell(); if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? ''; }
  }
  el.append(t);
}

async function cases(query) {
  return (await api('GET', '/v1/returns?' + new URLSearchParams({ limit: '200', ...query }))).items;
}

function decisionButtons(c) {
  const span = document.createElement('span');
  for (const [label, approved] of [['Approve', true], ['Reject', false]]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', async () => {
      const note = prompt(label + ' ' + c.id + ': note (optional)') ?? undefined;
      try { await api('POST', '/v1/returns/' + encodeURIComponent(c.id) + '/approval', { approved, ...(note ? { note } : {}) }); await load(); }
      catch (err) { alert(err.message); }
    });
    span.append(b);
  }
  return span;
}

async function load() {
  $('status').textContent = 'Loading…';
  $('status').className = '';
  try {
    const [stuck, approval, inspection, transit] = await Promise.all([
      cases({ stuck: 'true' }),
      cases({ status: 'awaiting_approval' }),
      cases({ status: 'received' }),
      api('GET', '/v1/reports/in-transit'),
    ]);
    $('stuck-count').textContent = '(' + stuck.length + ')';
    table('stuck', ['Case', 'Status', 'Why', 'Waiting for', 'Since', 'Order', 'Method'],
      stuck.map((c) => [c.id, c.status, c.stuckReason, c.waitingFor, age(c.waitingSince), c.orderId, c.method]));
    $('approval-count').textContent = '(' + approval.length + ')';
    table('approval', ['Case', 'Order', 'Customer', 'Replacements', 'Waiting', 'Decision'],
      approval.map((c) => [c.id, c.orderId, c.customerId, (c.replacements ?? []).map((r) => r.quantity + ' × ' + r.sku).join(', '), age(c.waitingSince), decisionButtons(c)]));
    $('inspection-count').textContent = '(' + inspection.length + ')';
    table('inspection', ['Case', 'Order', 'Received', 'Deadline', 'Lines'],
      inspection.map((c) => [c.id, c.orderId, age(c.waitingSince), c.deadline ? new Date(c.deadline).toLocaleString() : '', c.lines.map((l) => l.quantity + ' × ' + l.sku).join(', ')]));
    $('transit-count').textContent = '(' + transit.count + ')';
    table('transit', ['Carrier', 'Parcels'], Object.entries(transit.byCarrier ?? {}).map(([carrier, n]) => [carrier, String(n)]));
    $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (err) {
    $('status').textContent = err.message;
    $('status').className = 'error';
  }
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('returns-api-key', keyInput.value);
  void load();
});
if (keyInput.value) void load();
setInterval(() => { if (keyInput.value) void load(); }, 60000);
`;
