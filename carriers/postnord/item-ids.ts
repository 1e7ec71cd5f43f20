/**
 * Label item ids from the number range PostNord assigns the shop, in the UPU S10 format that
 * PostNord's track-and-trace accepts: 2 letters, 8 serial digits, a check digit, the country.
 */

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

/** The S10 check digit of an 8-digit serial (UPU S10 standard, mod 11). */
export function s10CheckDigit(serial: string): number {
  if (!/^\d{8}$/.test(serial)) throw new Error(`S10 serial must be 8 digits: ${serial}`);
  const sum = S10_WEIGHTS.reduce((acc, w, i) => acc + w * Number(serial[i]), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

/** An S10 item id, e.g. `s10ItemId('RR', 12345678, 'SE')` → `RR123456785SE`. */
export function s10ItemId(prefix: string, serial: number, country: string): string {
  if (!Number.isInteger(serial) || serial < 0 || serial > 99_999_999)
    throw new RangeError(`S10 serial out of range: ${serial}`);
  const digits = String(serial).padStart(8, '0');
  return `${prefix}${digits}${s10CheckDigit(digits)}${country}`;
}

/** Whether `id` is a well-formed S10 item id with a correct check digit. */
export function isS10ItemId(id: string): boolean {
  const m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(id);
  return m !== null && s10CheckDigit(m[2]!) === Number(m[3]);
}
