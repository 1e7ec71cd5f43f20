/**
 * What customers read around a campaign: the unsubscribe footer of the e-mail and the page the
 * unsubscribe link opens, one JSON file per language beside this module (`npm run build` copies them).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAMPAIGN_LANGUAGES, type CampaignLanguage } from '../../domain/campaigns.js';

export interface CampaignTexts {
  footer: string;
  unsubscribeLink: string;
  pageTitle: string;
  pageDone: string;
  pageInvalidTitle: string;
  pageInvalid: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const loaded = new Map<CampaignLanguage, CampaignTexts>();

export function campaignTexts(lang: CampaignLanguage): CampaignTexts {
  let texts = loaded.get(lang);
  if (!texts) {
    const file = (CAMPAIGN_LANGUAGES as readonly string[]).includes(lang) ? lang : 'en';
    texts = JSON.parse(readFileSync(join(here, `${file}.json`), 'utf8')) as CampaignTexts;
    loaded.set(lang, texts);
  }
  return texts;
}

/** `{{shop}}` and `{{url}}` filled in. */
export function fillText(text: string, values: { shop: string; url?: string }): string {
  return text.replace(/\{\{\s*(shop|url)\s*\}\}/g, (_, key: 'shop' | 'url') => values[key] ?? '');
}
