/** What each return method asks of a request, checked before anything is read or locked. */
import type { ReturnMethod } from '../domain/case-status.js';
import type { OpenCaseInput } from './case-request.js';
import { CaseNotOpened } from './not-opened.js';

/** Methods whose returned goods come back (label, parcel, inspection). */
export const GOODS_COME_BACK: ReadonlySet<ReturnMethod> = new Set(['return_to_stock', 'exchange']);

export const isExchange = (method: ReturnMethod) => method === 'exchange' || method === 'exchange_without_return';

/** Replacements only and always for exchanges, a credit amount only for credit_only. */
export function checkMethodFields(body: OpenCaseInput): void {
  const exchange = isExchange(body.method);
  if (exchange && !body.replacements?.length) {
    throw new CaseNotOpened('invalid', 'an exchange needs replacements', [
      { field: 'replacements', detail: 'required for exchange methods' },
    ]);
  }
  if (!exchange && body.replacements?.length) {
    throw new CaseNotOpened('invalid', 'replacements are only for exchanges', [
      { field: 'replacements', detail: `not allowed for ${body.method}` },
    ]);
  }
  if (body.creditAmount !== undefined && body.method !== 'credit_only') {
    throw new CaseNotOpened('invalid', 'creditAmount is only for credit_only', [
      { field: 'creditAmount', detail: `not allowed for ${body.method}` },
    ]);
  }
}
