/**
 * The customers' self-service returns page (`GET /portal`): a static page, its stylesheet and
 * script (portal/script.ts) over the portal JSON API. Elements carry `data-t` keys of
 * portal/texts/<lang>.json, filled in by the script in the customer's language; the server only
 * fills in the shop's name and colour (escaped) and the language names.
 */
import { CUSTOMER_LANGUAGES, type CustomerLanguage } from '../domain/policy.js';
import type { PortalTexts } from './i18n.js';

/** The order of the language picker. */
export const PORTAL_LANGUAGES: readonly CustomerLanguage[] = ['nb', 'sv', 'da', 'fi', 'en'];

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** A CSS colour the stylesheet may carry (#rgb, #rrggbb), else the default. */
export const safeColor = (color: string | undefined) =>
  color && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : '#1f4e79';

export function portalHtml(o: {
  shopName: string;
  texts: Record<CustomerLanguage, PortalTexts>;
  /** The Accept-Language header's pick, if it named one the portal speaks. */
  acceptLanguage?: CustomerLanguage;
}): string {
  const lang = o.acceptLanguage ?? 'en';
  const options = PORTAL_LANGUAGES.filter((l) => CUSTOMER_LANGUAGES.includes(l))
    .map(
      (l) =>
        `<option value="${l}"${l === lang ? ' selected' : ''} lang="${l}">${escapeHtml(o.texts[l]['lang.name'] ?? l)}</option>`,
    )
    .join('');
  const shop = escapeHtml(o.shopName);
  return `<!doctype html>
<html lang="${lang}"${o.acceptLanguage ? ` data-accept-language="${o.acceptLanguage}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${shop}</title>
<link rel="stylesheet" href="/portal/app.css">
<script type="module" src="/portal/app.js"></script>
</head>
<body>
<header class="top">
  <p class="shop" id="shop-name">${shop}</p>
  <div class="top-tools">
    <label for="lang" class="lang-label" data-t="lang.label"></label>
    <select id="lang">${options}</select>
    <button type="button" id="sign-out" class="secondary" hidden data-t="nav.sign_out"></button>
  </div>
</header>
<main>
  <p id="notice" class="error" role="alert"></p>

  <section id="signin-view" class="card" aria-labelledby="signin-title" hidden>
    <h2 id="signin-title" tabindex="-1" data-t="signin.title"></h2>
    <p data-t="signin.intro"></p>
    <form id="signin-form" novalidate>
      <label for="order-number" data-t="signin.order_number"></label>
      <input id="order-number" name="orderId" type="text" autocomplete="off" required maxlength="200" aria-describedby="order-number-hint">
      <p class="hint" id="order-number-hint" data-t="signin.order_number_hint"></p>
      <label for="order-email" data-t="signin.email"></label>
      <input id="order-email" name="email" type="email" autocomplete="email" required maxlength="320">
      <p id="signin-error" class="error" role="alert"></p>
      <div class="actions">
        <button type="submit" id="signin-submit" data-t="signin.submit"></button>
        <span id="signin-status" role="status"></span>
      </div>
    </form>
  </section>

  <section id="order-view" aria-labelledby="order-title" hidden>
    <div class="card">
      <h2 id="order-title" tabindex="-1" data-t="order.title"></h2>
      <div id="order-summary"></div>
      <div id="order-cases"></div>
    </div>
    <p id="no-returnable" class="card why" data-t="order.nothing_returnable" hidden></p>
    <form id="return-form" novalidate>
      <fieldset class="card" id="lines-box">
        <legend data-t="order.lines_legend"></legend>
        <div id="lines"></div>
      </fieldset>
      <fieldset class="card">
        <legend data-t="refund.legend"></legend>
        <div id="refund-methods"></div>
        <div id="exchange-choices" hidden></div>
      </fieldset>
      <fieldset class="card">
        <legend data-t="address.legend"></legend>
        <p class="hint" data-t="address.hint"></p>
        <label for="address-line1" data-t="address.line1"></label>
        <input id="address-line1" type="text" autocomplete="address-line1" maxlength="200">
        <label for="address-line2" data-t="address.line2"></label>
        <input id="address-line2" type="text" autocomplete="address-line2" maxlength="200">
        <div class="row">
          <div><label for="address-postal" data-t="address.postal_code"></label>
            <input id="address-postal" type="text" autocomplete="postal-code" maxlength="20"></div>
          <div><label for="address-city" data-t="address.city"></label>
            <input id="address-city" type="text" autocomplete="address-level2" maxlength="100"></div>
        </div>
        <label for="address-country" data-t="address.country"></label>
        <input id="address-country" type="text" autocomplete="country" maxlength="2" aria-describedby="address-country-hint">
        <p class="hint" id="address-country-hint" data-t="address.country_hint"></p>
      </fieldset>
      <div class="card">
        <label for="note" data-t="order.note"></label>
        <textarea id="note" rows="3" maxlength="2000"></textarea>
      </div>
      <section class="card" aria-labelledby="summary-title">
        <h3 id="summary-title" data-t="summary.title"></h3>
        <ul id="summary-rows" aria-live="polite"></ul>
        <p id="summary-rule" class="hint" data-t="summary.fee_rule"></p>
        <p class="hint" data-t="summary.final"></p>
        <div id="return-error" class="error" role="alert" tabindex="-1"></div>
        <div class="actions">
          <button type="submit" id="confirm" data-t="order.confirm"></button>
          <span id="confirm-status" role="status"></span>
        </div>
      </section>
    </form>
  </section>

  <section id="case-view" aria-labelledby="case-title" hidden>
    <div class="card">
      <h2 id="case-title" tabindex="-1" data-t="case.title"></h2>
      <p id="case-reference" class="ref"></p>
      <p><span data-t="case.status_label"></span> <strong id="case-status" aria-live="polite"></strong></p>
      <ol id="case-steps" class="steps"></ol>
      <div id="next-step" aria-live="polite"></div>
      <p id="case-notice" class="error" role="status"></p>
    </div>
    <div class="card" id="label-block" hidden>
      <h3 data-t="label.title"></h3>
      <p id="label-tracking" class="ref"></p>
      <p data-t="label.instructions"></p>
      <button type="button" id="download-label" data-t="label.download"></button>
      <figure class="qr">
        <img id="label-qr" alt="" data-t-alt="label.qr_alt" width="240" height="240">
        <figcaption data-t="label.qr_caption"></figcaption>
      </figure>
      <p id="label-error" class="error" role="alert"></p>
    </div>
    <div class="card">
      <h3 data-t="case.lines_title"></h3>
      <ul id="case-lines"></ul>
      <h3 data-t="case.money_title"></h3>
      <ul id="case-money"></ul>
      <button type="button" id="case-back" class="secondary" data-t="case.back"></button>
    </div>
  </section>
</main>
</body>
</html>
`;
}

export function portalCss(brandColor: string | undefined): string {
  return `:root { --brand: ${safeColor(brandColor)}; --text: #1b1b1b; --muted: #555; --error: #b00020; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--text); background: #f4f5f7; overflow-wrap: anywhere; }
.top { background: var(--brand); color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; }
.top .shop { margin: 0; font-weight: 700; font-size: 1.15rem; }
.top-tools { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.top-tools label { display: inline; margin: 0; font-weight: 400; color: #fff; }
.top-tools select { width: auto; color: var(--text); }
main { max-width: 42rem; margin: 0 auto; padding: 1rem .75rem 3rem; }
.card { background: #fff; border: 1px solid #dde0e4; border-radius: 8px; padding: 1rem; margin: 0 0 1rem; min-width: 0; }
fieldset.card { margin-inline: 0; }
legend { font-weight: 700; font-size: 1.05rem; padding: 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0 0 .5rem; } h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
label { display: block; font-weight: 600; margin: .6rem 0 .2rem; }
input, select, textarea, button { font: inherit; max-width: 100%; }
input[type=text], input[type=email], input[type=number], select, textarea { width: 100%; padding: .5rem .6rem; border: 1px solid #767676; border-radius: 4px; background: #fff; color: inherit; }
input[type=number] { max-width: 8rem; }
button { cursor: pointer; padding: .6rem 1.1rem; border-radius: 4px; border: 2px solid var(--brand); background: var(--brand); color: #fff; font-weight: 600; }
button.secondary { background: #fff; color: var(--brand); }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
[tabindex="-1"]:focus { outline: none; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-top: .75rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
.error { color: var(--error); font-weight: 600; }
.error:empty, #notice:empty { display: none; }
.why { color: var(--muted); font-style: italic; }
.line { border-top: 1px solid #e5e7ea; padding: .75rem 0; }
.line:first-child { border-top: 0; }
.line p { margin: .15rem 0; }
.line-name { font-weight: 600; }
.check, .choice { display: flex; gap: .6rem; align-items: flex-start; }
.check label, .choice label { margin: 0; }
.check input, .choice input { width: 1.3rem; height: 1.3rem; margin: .15rem 0 0; flex: none; }
.choice { margin: .5rem 0; }
.choice .hint { display: block; font-weight: 400; }
.row { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.row > div { flex: 1 1 10rem; min-width: 0; }
ul.plain { list-style: none; padding: 0; }
ul.plain li { margin: .3rem 0; }
.ref { color: var(--muted); }
.steps { padding-left: 1.4rem; }
.steps li { margin: .25rem 0; color: var(--muted); }
.steps li[data-state=done] { color: var(--text); }
.steps li[data-state=done]::marker { content: "✓  "; color: #1a7f37; }
.steps li[data-state=current] { color: var(--text); font-weight: 700; }
.by { font-weight: 600; }
figure.qr { margin: 1rem 0 0; }
figure.qr img { display: block; width: 100%; max-width: 240px; height: auto; background: #fff; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
[hidden] { display: none !important; }
`;
}
