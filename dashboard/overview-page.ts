/** The dashboard's overview page (`GET /dashboard`): search, the lists to work through, charts, campaigns. */
import { dashboardStyles } from './styles.js';

const options = (values: readonly string[]) => values.map((v) => `<option value="${v}">${v}</option>`).join('');

export function dashboardHtml(choices: {
  statuses: readonly string[];
  methods: readonly string[];
  channels: readonly string[];
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Returns — managers' dashboard</title>
<style>${dashboardStyles}</style>
</head>
<body>
<h1>Returns — managers' dashboard</h1>
<form id="key-form">
  <label>API key (manager) <input type="password" id="api-key" autocomplete="off" required></label>
  <button type="submit">Load</button> <span id="status" role="status"></span>
</form>
<section>
  <h2>Find cases <span class="count" id="search-count"></span></h2>
  <form id="search-form" class="filters">
    <label>Search <input type="search" id="search-q" placeholder="case id, order id, e-mail or tracking number"></label>
    <label>Status <select id="filter-status"><option value="">any</option>${options(choices.statuses)}</select></label>
    <label>Method <select id="filter-method"><option value="">any</option>${options(choices.methods)}</select></label>
    <label>Channel <select id="filter-channel"><option value="">any</option>${options(choices.channels)}</select></label>
    <label>Market <input id="filter-market" size="8" placeholder="e.g. NO"></label>
    <label>Stuck <select id="filter-stuck"><option value="">any</option><option value="true">stuck</option><option value="false">not stuck</option></select></label>
    <button type="submit">Search</button>
  </form>
  <div id="search"></div>
</section>
<section><h2>Stuck cases <span class="count" id="stuck-count"></span></h2><div id="stuck"></div></section>
<section><h2>Waiting for a manager's decision <span class="count" id="approval-count"></span></h2><div id="approval"></div></section>
<section><h2>Received, waiting for inspection <span class="count" id="inspection-count"></span></h2><div id="inspection"></div></section>
<section><h2>Parcels on their way <span class="count" id="transit-count"></span></h2><div id="transit"></div></section>
<section>
  <h2>The last 30 days</h2>
  <div class="charts">
    <figure><figcaption>Cases opened and closed per day</figcaption><div class="chart-box"><canvas id="chart-daily" role="img" aria-label="cases opened and closed per day"></canvas></div></figure>
    <figure><figcaption>Return rate by category</figcaption><div class="chart-box"><canvas id="chart-categories" role="img" aria-label="return rate by category"></canvas></div></figure>
    <figure><figcaption>Reasons</figcaption><div class="chart-box"><canvas id="chart-reasons" role="img" aria-label="cases per reason"></canvas></div></figure>
    <figure><figcaption>Average processing time by method</figcaption><div class="chart-box"><canvas id="chart-processing" role="img" aria-label="average processing time by method"></canvas></div></figure>
  </div>
  <p id="charts-status" class="empty"></p>
</section>
<section><h2>Campaigns</h2><div id="campaigns"></div></section>
<script src="/dashboard/vendor/chart.js"></script>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;
}
