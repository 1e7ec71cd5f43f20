/** Why a case was not opened: errors that know nothing of HTTP (api/app.ts answers them). */
import type { PolicyViolation } from '../domain/policy.js';

/** Each reason has its own answer in the API. */
export type NotOpenedReason = 'invalid' | 'policy-violation' | 'idempotency-conflict' | 'no-such-label' | 'not-started';

export class CaseNotOpened extends Error {
  constructor(
    readonly reason: NotOpenedReason,
    message: string,
    /** The request fields at fault, when there are any. */
    readonly fields?: PolicyViolation[],
  ) {
    super(message);
  }
}

/** The pre-issued label already belongs to a case (a second scan, or a concurrent one). */
export class LabelAlreadyClaimed extends Error {
  constructor(
    readonly trackingNumber: string,
    readonly caseId: string,
  ) {
    super(`label ${trackingNumber} already belongs to case ${caseId}`);
  }
}
