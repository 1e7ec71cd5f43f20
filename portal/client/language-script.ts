/**
 * The page's language: which languages the portal speaks, the texts of /portal/texts/<lang> with
 * their `{name}` values filled in, numbers and dates in the language's conventions, and switching
 * language (every `data-t` element, and the order's reasons, which the shop words per language).
 */
export const languageScript = String.raw`
const LANGS = ['nb', 'sv', 'da', 'fi', 'en'];
const INTL_LOCALES = { nb: 'nb-NO', sv: 'sv-SE', da: 'da-DK', fi: 'fi-FI', en: 'en-GB' };

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
`;
