/** The page of one case (`GET /dashboard/cases/:id`); its script reads the case id from the path. */
import { dashboardStyles } from './styles.js';

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `temporalUi`: the base of the case's workflow link, `<ui>/namespaces/<namespace>/workflows/<id>`. */
export function casePageHtml(temporalUi: { url: string; namespace: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="temporal-ui" content="${escapeAttr(temporalUi.url)}">
<meta name="temporal-namespace" content="${escapeAttr(temporalUi.namespace)}">
<title>Return case — managers' dashboard</title>
<style>${dashboardStyles}</style>
</head>
<body>
<p><a href="/dashboard">← Dashboard</a></p>
<h1>Case <span id="case-id"></span> <span class="count" id="case-status"></span></h1>
<form id="key-form">
  <label>API key (manager) <input type="password" id="api-key" autocomplete="off" required></label>
  <button type="submit">Load</button> <span id="status" role="status"></span>
</form>
<div id="stuck-box" class="stuck" hidden></div>
<dl class="facts" id="facts"></dl>
<p><a id="temporal-link" target="_blank" rel="noopener noreferrer">Workflow in the Temporal UI</a></p>
<section><h2>Actions</h2><div class="actions" id="actions"></div></section>
<section><h2>Lines</h2><div id="lines"></div></section>
<section><h2>Label and parcels</h2><div id="parcels"></div></section>
<section><h2>Inspection</h2><div id="inspection"></div></section>
<section><h2>Credit notes</h2><div id="credit-notes"></div></section>
<section><h2>Refunds</h2><div id="refunds"></div></section>
<section><h2>E-mails sent</h2><div id="emails"></div></section>
<section><h2>Timeline</h2><div id="timeline"></div></section>
<section><h2>Policy snapshot</h2><pre id="policy"></pre></section>
<script type="module" src="/dashboard/case.js"></script>
</body>
</html>
`;
}
