/**
 * Amounts, dates and the language of a customer's locale, formatted with `Intl` (pure: no I/O, no clock).
 * `nb-NO` → nb, `sv-SE` → sv, `da-DK` → da, `fi-FI` → fi; anything else → en.
 */
export const LANGUAGES = ['en', 'nb', 'sv', 'da', 'fi'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Bokmål and Nynorsk and the bare macro-language read the nb templates. */
const ALIASES: Record<string, Language> = { no: 'nb', nn: 'nb', nb: 'nb', sv: 'sv', da: 'da', fi: 'fi', en: 'en' };

export function language(locale: string | null | undefined): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return ALIASES[primary] ?? 'en';
}

/** A locale `Intl` accepts; an invalid tag falls back to the language's default (so formatting never throws). */
function intlLocale(locale: string | null | undefined): string {
  try {
    if (locale) return Intl.getCanonicalLocales(locale.replace('_', '-'))[0] ?? language(locale);
  } catch {
    // fall through
  }
  return language(locale);
}

/** True for a BCP 47 tag `Intl` accepts (e.g. `nb-NO`, `sv`). */
export function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

/** 49900 NOK in nb-NO → "499,00 kr"; the currency's own number of minor units (JPY has none). */
export function amount(minor: number, currency: string, locale: string | null | undefined): string {
  const fmt = new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  // Non-breaking spaces from Intl read badly in plain-text mail clients; plain spaces are equivalent.
  return fmt.format(minor / 10 ** digits).replace(/[\u00a0\u202f]/g, ' ');
}

/** An ISO timestamp as a long date in the locale ("2. desember 2026" for nb-NO), in UTC. */
export function date(iso: string, locale: string | null | undefined): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
}
