/**
 * The texts of the case e-mails: built-in `templates/<lang>.json` beside this module (one file per
 * language, `npm run build` copies them), each a map of sections (an e-mail kind, or shared parts
 * such as `common` and `items`) to parts (`subject`, `intro`, `body`, …) with `{{placeholder}}`s.
 * A shop overrides any part from `EMAIL_TEMPLATES_DIR/<lang>.json`, merged section by section and
 * part by part; an override that names a section, part or placeholder the built-in texts do not
 * have is refused (an error, never a blank in a customer's e-mail).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, type Language } from '../domain/locale-format.js';

export type TemplateSet = Record<string, Record<string, string>>;

/** Placeholders every e-mail part may use (filled by emails/render.ts), beyond a part's own. */
export const COMMON_PLACEHOLDERS = [
  'name',
  'caseId',
  'orderId',
  'shopName',
  'ref',
  'labelUrl',
  'trackingNumber',
  'portalUrl',
];
/** Parts filled with their own values only (list items, names of conditions and payment methods, the reference). */
const STRICT_SECTIONS = new Set(['items', 'conditions', 'paid_with']);
const allowedPlaceholders = (section: string, part: string, original: string) =>
  STRICT_SECTIONS.has(section) || (section === 'common' && part === 'reference')
    ? placeholders(original)
    : [...placeholders(original), ...COMMON_PLACEHOLDERS];

const here = dirname(fileURLToPath(import.meta.url));
const builtIn = new Map<Language, TemplateSet>();

export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([a-zA-Z][\w]*)\s*\}\}/g)].map((m) => m[1] as string))].sort();
}

function parseSet(json: string, source: string): TemplateSet {
  const data: unknown = JSON.parse(json);
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${source}: not a JSON object`);
  for (const [section, parts] of Object.entries(data)) {
    if (!parts || typeof parts !== 'object' || Array.isArray(parts))
      throw new Error(`${source}: ${section} is not an object`);
    for (const [part, text] of Object.entries(parts)) {
      if (typeof text !== 'string') throw new Error(`${source}: ${section}.${part} is not a string`);
    }
  }
  return data as TemplateSet;
}

/** The shipped texts of one language, as they are in the file. */
export function builtInTemplates(lang: Language): TemplateSet {
  let set = builtIn.get(lang);
  if (!set) {
    const file = join(here, 'templates', `${lang}.json`);
    set = parseSet(readFileSync(file, 'utf8'), file);
    builtIn.set(lang, set);
  }
  return set;
}

/**
 * The texts for one language: built-in, then the shop's overrides from `templatesDir` (read on each
 * call, so a shop can edit them without a restart; e-mails are few).
 */
export function loadTemplates(lang: Language, templatesDir?: string): TemplateSet {
  const base = builtInTemplates(lang);
  if (!templatesDir) return base;
  const file = join(templatesDir, `${lang}.json`);
  if (!existsSync(file)) return base;
  const override = parseSet(readFileSync(file, 'utf8'), file);
  const merged: TemplateSet = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v }]));
  for (const [section, parts] of Object.entries(override)) {
    const target = merged[section];
    if (!target) throw new Error(`${file}: unknown e-mail template section "${section}"`);
    for (const [part, text] of Object.entries(parts)) {
      const original = target[part];
      if (original === undefined) throw new Error(`${file}: unknown part "${section}.${part}"`);
      const allowed = allowedPlaceholders(section, part, original);
      const extra = placeholders(text).filter((p) => !allowed.includes(p));
      if (extra.length) throw new Error(`${file}: ${section}.${part} uses unknown placeholder(s) ${extra.join(', ')}`);
      target[part] = text;
    }
  }
  return merged;
}

export const TEMPLATE_LANGUAGES = LANGUAGES;

/** `{{name}}` → values.name; a placeholder without a value is an error (a bug, not a blank). */
export function fill(text: string, values: Record<string, string>, escape: (s: string) => string = (s) => s): string {
  return text.replace(/\{\{\s*([a-zA-Z][\w]*)\s*\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`e-mail template placeholder {{${key}}} has no value`);
    return escape(value);
  });
}
