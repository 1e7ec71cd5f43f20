/**
 * Browser code both dashboard pages start with: the manager's key (sessionStorage), calls to the
 * JSON API, and small DOM builders. Everything is rendered with textContent, never as HTML.
 */
export const commonScript = `
const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
keyInput.value = sessionStorage.getItem('returns-api-key') ?? '';

/** One JSON API call with the manager's key; a problem+json answer becomes an Error with its detail. */
async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: 'Bearer ' + keyInput.value, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.detail ?? res.status + ' ' + res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}

const enc = encodeURIComponent;

const age = (iso) => {
  if (!iso) return '';
  const h = Math.floor((Date.now() - new Date(iso).getTime()) / 3600000);
  return h >= 48 ? Math.floor(h / 24) + ' d' : h + ' h';
};
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const money = (amount, currency) => (amount / 100).toFixed(2) + ' ' + currency;

/** An element with text and attributes. */
function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** A link to the case's own page. */
const caseLink = (id) => el('a', id, { href: '/dashboard/cases/' + enc(id) });

function button(label, onClick) {
  const b = el('button', label, { type: 'button' });
  b.addEventListener('click', onClick);
  return b;
}

/** A table of rows into the element with id \`target\`; cells are text or elements, never HTML strings. */
function table(target, headers, rows) {
  const box = $(target);
  box.replaceChildren();
  if (rows.length === 0) {
    box.append(el('p', 'Nothing here.', { class: 'empty' }));
    return;
  }
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.append(el('th', h));
  const tbody = t.createTBody();
  for (const cells of rows) {
    const tr = tbody.insertRow();
    for (const cell of cells) { const td = tr.insertCell(); if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? ''; }
  }
  box.append(t);
}

function showStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

/** Runs the page's \`load\` when a key is entered, or at once when the tab already has one. */
function startPage(load) {
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('returns-api-key', keyInput.value);
    void load();
  });
  if (keyInput.value) void load();
}
`;
