/** Browser code of the overview page: search and filters, the work lists, charts and campaigns. */
export const overviewScript = `
async function cases(query) {
  return (await api('GET', '/v1/returns?' + new URLSearchParams({ limit: '200', ...query }))).items;
}

function decisionButtons(c) {
  const span = el('span');
  for (const [label, approved] of [['Approve', true], ['Reject', false]]) {
    span.append(button(label, async () => {
      const note = prompt(label + ' ' + c.id + ': note (optional)') ?? undefined;
      try { await api('POST', '/v1/returns/' + enc(c.id) + '/approval', { approved, ...(note ? { note } : {}) }); await load(); }
      catch (err) { alert(err.message); }
    }));
  }
  return span;
}

const lines = (c) => c.lines.map((l) => l.quantity + ' × ' + l.sku).join(', ');
const market = (c) => c.policy?.market ?? '';

/** The search form's query: only the fields filled in. */
function searchQuery() {
  const q = {
    q: $('search-q').value.trim(),
    status: $('filter-status').value,
    method: $('filter-method').value,
    channel: $('filter-channel').value,
    market: $('filter-market').value.trim(),
    stuck: $('filter-stuck').value,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
}

async function search() {
  const query = searchQuery();
  if (Object.keys(query).length === 0) {
    $('search').replaceChildren();
    $('search-count').textContent = '';
    return;
  }
  const found = await cases(query);
  $('search-count').textContent = '(' + found.length + ')';
  table('search', ['Case', 'Status', 'Stuck', 'Order', 'Method', 'Channel', 'Market', 'Tracking', 'Opened'],
    found.map((c) => [caseLink(c.id), c.status, c.stuck ? c.stuckReason ?? 'yes' : '', c.orderId, c.method, c.channel,
      market(c), c.parcels.map((p) => p.trackingNumber).join(', '), when(c.createdAt)]));
}

async function loadLists() {
  const [stuck, approval, inspection, transit] = await Promise.all([
    cases({ stuck: 'true' }),
    cases({ status: 'awaiting_approval' }),
    cases({ status: 'received' }),
    api('GET', '/v1/reports/in-transit'),
  ]);
  $('stuck-count').textContent = '(' + stuck.length + ')';
  table('stuck', ['Case', 'Status', 'Why', 'Waiting for', 'Since', 'Deadline', 'Order', 'Method'],
    stuck.map((c) => [caseLink(c.id), c.status, c.stuckReason, c.waitingFor, age(c.waitingSince), when(c.deadline), c.orderId, c.method]));
  $('approval-count').textContent = '(' + approval.length + ')';
  table('approval', ['Case', 'Order', 'Customer', 'Replacements', 'Why', 'Waiting', 'Decision'],
    approval.map((c) => [caseLink(c.id), c.orderId, c.customerId, (c.replacements ?? []).map((r) => r.quantity + ' × ' + r.sku).join(', '),
      c.approvalReason ?? '', age(c.waitingSince), decisionButtons(c)]));
  $('inspection-count').textContent = '(' + inspection.length + ')';
  table('inspection', ['Case', 'Order', 'Received', 'Deadline', 'Lines'],
    inspection.map((c) => [caseLink(c.id), c.orderId, age(c.waitingSince), when(c.deadline), lines(c)]));
  $('transit-count').textContent = '(' + transit.count + ')';
  table('transit', ['Carrier', 'Parcels'], Object.entries(transit.byCarrier ?? {}).map(([carrier, n]) => [carrier, String(n)]));
}

// Charts: chart.js from /dashboard/vendor/chart.js (window.Chart); without it the page still works.
const charts = {};
function drawChart(id, config) {
  if (typeof Chart === 'undefined') return;
  charts[id]?.destroy();
  charts[id] = new Chart($(id), { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

async function loadCharts() {
  const day = 86400000;
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
  const period = { from: new Date(today - 29 * day).toISOString(), to: new Date(today + day).toISOString() };
  const analytics = (groupBy) => api('GET', '/v1/analytics/returns?' + new URLSearchParams({ ...period, groupBy }));
  const [daily, categories, reasons, methods] = await Promise.all([
    api('GET', '/v1/analytics/daily?' + new URLSearchParams(period)),
    analytics('category'),
    analytics('reason'),
    analytics('method'),
  ]);
  drawChart('chart-daily', {
    type: 'bar',
    data: {
      labels: daily.days.map((d) => d.date.slice(5)),
      datasets: [
        { label: 'opened', data: daily.days.map((d) => d.opened), backgroundColor: '#1f4e79' },
        { label: 'closed', data: daily.days.map((d) => d.closed), backgroundColor: '#7fb069' },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  drawChart('chart-categories', {
    type: 'bar',
    data: {
      labels: categories.groups.map((g) => g.key),
      datasets: [{ label: 'return rate %', data: categories.groups.map((g) => g.returnRate === null ? 0 : Math.round(g.returnRate * 1000) / 10), backgroundColor: '#e08a00' }],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
  drawChart('chart-reasons', {
    type: 'doughnut',
    data: {
      labels: reasons.groups.map((g) => g.key),
      datasets: [{ label: 'cases', data: reasons.groups.map((g) => g.cases) }],
    },
  });
  const timed = methods.groups.filter((g) => g.averageProcessingSeconds !== null);
  // Hours once cases take that long, minutes before (a new shop's first cases).
  const inHours = Math.max(0, ...timed.map((g) => g.averageProcessingSeconds)) >= 2 * 3600;
  const unit = inHours ? 3600 : 60;
  drawChart('chart-processing', {
    type: 'bar',
    data: {
      labels: timed.map((g) => g.key),
      datasets: [{ label: inHours ? 'hours' : 'minutes', data: timed.map((g) => Math.round((g.averageProcessingSeconds / unit) * 100) / 100), backgroundColor: '#6b4e9b' }],
    },
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
  });
  $('charts-status').textContent = typeof Chart === 'undefined' ? 'Charts are not available.' : '';
}

/** Campaigns with a progress bar; the list route may be missing on older servers: said so, not failed. */
async function loadCampaigns() {
  let listed;
  try {
    listed = await api('GET', '/v1/campaigns');
  } catch (err) {
    $('campaigns').replaceChildren(el('p', err.status === 404 || err.status === 405 ? 'No campaign list on this server.' : err.message, { class: 'empty' }));
    return;
  }
  const items = Array.isArray(listed) ? listed : listed.items ?? listed.campaigns ?? [];
  const detailed = await Promise.all(items.slice(0, 50).map((c) =>
    typeof c.progress === 'number' ? c : api('GET', '/v1/campaigns/' + enc(c.id)).catch(() => c)));
  table('campaigns', ['Campaign', 'Status', 'Progress', 'Sent', 'Pending', 'Started'],
    detailed.map((c) => {
      const bar = el('progress', null, { max: '1', value: String(c.progress ?? 0), 'aria-label': (c.name ?? c.id) + ' progress' });
      const pct = el('span', typeof c.progress === 'number' ? ' ' + Math.round(c.progress * 100) + ' %' : ' –');
      const cell = el('span');
      cell.append(bar, pct);
      return [c.name ?? c.id, c.status ?? '', cell, c.sent ?? '', c.pending ?? '', when(c.createdAt)];
    }));
}

async function load() {
  showStatus('Loading…');
  try {
    await Promise.all([loadLists(), search()]);
    showStatus('Updated ' + new Date().toLocaleTimeString());
  } catch (err) {
    showStatus(err.message, true);
    return;
  }
  // Charts and campaigns are extras: their failure is shown beside them, the lists stand.
  loadCharts().catch((err) => { $('charts-status').textContent = 'Charts: ' + err.message; });
  loadCampaigns().catch((err) => { $('campaigns').replaceChildren(el('p', err.message, { class: 'error' })); });
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  search().then(() => showStatus('Updated ' + new Date().toLocaleTimeString()), (err) => showStatus(err.message, true));
});
startPage(load);
setInterval(() => { if (keyInput.value) void load(); }, 60000);
`;
