/**
 * One gate per case command. The workflow's update validators are the authority (they see the
 * live state); the API uses the same functions where it must answer before asking the workflow
 * (field-level 422s). Pure and deterministic: safe in workflow code.
 */
import { isFinal, type CaseStatus, type WaitingFor } from './case-status.js';

/** Failure types the API maps to HTTP statuses. */
export const CASE_NOT_WAITING = 'CaseNotWaiting'; // → 409
export const CASE_ALREADY_SETTLED = 'CaseAlreadySettled'; // → 409
export const INVALID_INSPECTION = 'InvalidInspection'; // → 422
export const REFUND_NOT_OPEN = 'RefundNotOpen'; // → 409

export type RefusalType =
  typeof CASE_NOT_WAITING | typeof CASE_ALREADY_SETTLED | typeof INVALID_INSPECTION | typeof REFUND_NOT_OPEN;

export interface Refusal {
  type: RefusalType;
  message: string;
}

/** What the gates look at: the case's status and what the workflow has already taken in. */
export interface CaseGate {
  status: CaseStatus;
  waitingFor: WaitingFor | null;
  /** Inspection accepted or exchange approved: settlement has begun and can no longer be undone. */
  settling: boolean;
  /** A cancel was accepted and the case is on its way to `cancelled`. */
  cancelRequested: boolean;
  /** A manager's decision was taken in. */
  decided: boolean;
  /** The return parcel is in (scanned). */
  parcelIn: boolean;
  /** Money has been asked back for the case (refund at receipt): there is no undoing it by a cancel. */
  paidOut: boolean;
  /** When the current wait ends (null: no deadline). */
  deadline?: string | null;
  /** The workflow's waits re-arm on a moved deadline (cases started before that cannot be extended). */
  deadlineMovable?: boolean;
}

const notWaiting = (message: string): Refusal => ({ type: CASE_NOT_WAITING, message });
const waitsForParcels = (g: CaseGate) => g.waitingFor === 'parcel' || g.waitingFor === 'receipt';

export function inspectRefusal(g: CaseGate): Refusal | undefined {
  if (g.waitingFor !== 'inspection' || g.settling || g.cancelRequested) {
    return notWaiting(`case is ${g.status}, not waiting for inspection`);
  }
  return undefined;
}

/** Once settlement began or a manager decided, the case goes its way: a cancel could no longer end it. */
export function cancelRefusal(g: CaseGate): Refusal | undefined {
  if (g.settling || g.decided || g.paidOut || isFinal(g.status)) {
    return { type: CASE_ALREADY_SETTLED, message: `case is ${g.status}; it can no longer be cancelled` };
  }
  return undefined;
}

export function approveRefusal(g: CaseGate): Refusal | undefined {
  if (g.waitingFor !== 'approval' || g.decided || g.cancelRequested) {
    return notWaiting(`case is ${g.status}, not waiting for approval`);
  }
  return undefined;
}

export function addParcelRefusal(g: CaseGate): Refusal | undefined {
  return waitsForParcels(g) ? undefined : notWaiting(`case is ${g.status}, not waiting for parcels`);
}

/** Waiting for the parcel (or its receipt) means the label exists and is still of use. */
export function resendLabelRefusal(g: CaseGate): Refusal | undefined {
  if (!waitsForParcels(g) || g.cancelRequested || g.parcelIn) {
    return notWaiting(`case is ${g.status}; its label is no longer needed`);
  }
  return undefined;
}

/** Waits whose deadline a manager may move; a refund's due date is the law's, not the shop's. */
const EXTENDABLE_WAITS: ReadonlySet<WaitingFor> = new Set(['approval', 'parcel', 'receipt', 'inspection']);

export function extendDeadlineRefusal(g: CaseGate): Refusal | undefined {
  const moving = g.settling || g.decided || (waitsForParcels(g) && g.parcelIn);
  if (isFinal(g.status) || !g.waitingFor || !g.deadline || g.cancelRequested || moving) {
    return notWaiting(`case is ${g.status} and waits for nothing with a deadline`);
  }
  if (!EXTENDABLE_WAITS.has(g.waitingFor)) {
    return notWaiting(`case waits for its ${g.waitingFor}, whose deadline cannot be extended`);
  }
  if (!g.deadlineMovable) return notWaiting('case started before deadlines could be extended');
  return undefined;
}

/** The extended deadline: `extendByMs` past the current one, or past now when that already passed. */
export function extendedDeadline(current: string, nowMs: number, extendByMs: number): string {
  return new Date(Math.max(Date.parse(current), nowMs) + extendByMs).toISOString();
}

export interface LineError {
  field: string;
  detail: string;
}

/** An inspection covers each line of the case exactly once; what is wrong, per field. */
export function inspectionCoverageErrors(
  caseId: string,
  caseLineIds: readonly string[],
  given: readonly string[],
): LineError[] {
  const known = new Set(caseLineIds);
  const errors: LineError[] = given.flatMap((lineId, i) =>
    known.has(lineId) ? [] : [{ field: `lines[${i}].orderLineId`, detail: `case ${caseId} has no line ${lineId}` }],
  );
  const listed = new Set(given);
  for (const lineId of known)
    if (!listed.has(lineId)) errors.push({ field: 'lines', detail: `line ${lineId} is not inspected` });
  if (listed.size !== given.length) errors.push({ field: 'lines', detail: 'a line is listed twice' });
  return errors;
}

/** The refusal the workflow gives an inspection that does not cover the case's lines once each. */
export function inspectionCoverageRefusal(
  caseId: string,
  caseLineIds: readonly string[],
  given: readonly string[],
): Refusal | undefined {
  if (inspectionCoverageErrors(caseId, caseLineIds, given).length === 0) return undefined;
  return { type: INVALID_INSPECTION, message: `inspection must cover each case line once: ${caseLineIds.join(', ')}` };
}

/** Finance may retry a refused refund, and settle by hand one that is not yet paid. */
export function refundActionRefusal(
  action: 'retry' | 'settle',
  refund: { id: string; status: string } | undefined,
): Refusal | undefined {
  if (!refund) return { type: REFUND_NOT_OPEN, message: 'the case is not waiting for this refund' };
  if (action === 'retry' && refund.status !== 'failed')
    return {
      type: REFUND_NOT_OPEN,
      message: `refund ${refund.id} is ${refund.status}; only a failed refund is retried`,
    };
  if (action === 'settle' && refund.status === 'succeeded')
    return { type: REFUND_NOT_OPEN, message: `refund ${refund.id} has already succeeded` };
  return undefined;
}
