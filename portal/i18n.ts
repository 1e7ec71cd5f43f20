/**
 * The portal's texts: one JSON file per language in portal/texts/ (copied beside the code by the
 * build), read once at start. Every language must have every key English has: a missing one fails
 * at start (and in the texts test), never shows up as a blank to a customer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOMER_LANGUAGES, type CustomerLanguage } from '../domain/policy.js';

export type PortalTexts = Readonly<Record<string, string>>;

export const PORTAL_TEXTS_DIR = join(import.meta.dirname, 'texts');

export function loadPortalTexts(dir = PORTAL_TEXTS_DIR): Record<CustomerLanguage, PortalTexts> {
  const texts = Object.fromEntries(
    CUSTOMER_LANGUAGES.map((lang) => [
      lang,
      JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) as PortalTexts,
    ]),
  ) as Record<CustomerLanguage, PortalTexts>;
  const keys = Object.keys(texts.en);
  for (const lang of CUSTOMER_LANGUAGES) {
    const missing = keys.filter((k) => typeof texts[lang][k] !== 'string' || texts[lang][k] === '');
    const extra = Object.keys(texts[lang]).filter((k) => !(k in texts.en));
    if (missing.length || extra.length)
      throw new Error(
        `portal/texts/${lang}.json: ${[...missing.map((k) => `missing ${k}`), ...extra.map((k) => `unknown ${k}`)].join(', ')}`,
      );
  }
  return texts;
}

/** The first language of an Accept-Language header the portal speaks (by q-value), if any. */
export function languageOfAcceptLanguage(header: string | undefined): CustomerLanguage | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const lang = tag.split(/[-_]/)[0];
    if (lang === 'no' || lang === 'nn') return 'nb';
    if ((CUSTOMER_LANGUAGES as readonly string[]).includes(lang ?? '')) return lang as CustomerLanguage;
  }
  return undefined;
}
