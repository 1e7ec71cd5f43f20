/**
 * Abuse signals per customer, over the last 12 months: how many returns, how much of what was
 * ordered came back (by value), and how many of the returns that ended came back damaged or not at
 * all; the policy's serial-returner rule on top, and why a new case must wait for a manager. Pure:
 * db/abuse-signals.ts loads the history.
 *
 * - A return is a goods-back case (return_to_stock, exchange) opened in the window, not cancelled
 *   or rejected.
 * - Return rate by value = value of the returned lines / value ordered, both over orders placed in
 *   the window (so it never exceeds 1), per currency; a customer buying in several currencies
 *   counts by the highest rate.
 * - Damaged or missing = returns with a line inspected `damaged`, or that expired after the
 *   replacement went out first (the goods never came). The inspection records condition per line,
 *   not a received quantity, so short parcels are not told apart. Share of the returns that ended
 *   (inspected or expired); 0 while none did.
 */
import type { Policy } from './policy.js';

export const ABUSE_WINDOW_MONTHS = 12;
/** Cases needed before the serial-returner rule applies, when the policy sets a rate but no minimum. */
export const DEFAULT_SERIAL_RETURNER_MIN_CASES = 3;

/** The start of the window the signals look at: 12 calendar months before `now`. */
export function abuseWindowStart(now: Date): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - ABUSE_WINDOW_MONTHS);
  return d;
}

/** What db/abuse-signals.ts counts for one customer over the window. */
export interface ReturnHistory {
  returns: number;
  /** Per currency: ordered value and returned value (minor units), orders placed in the window. */
  values: readonly { currency: string; ordered: number; returned: number }[];
  /** Returns that ended: inspected, or expired. */
  ended: number;
  damagedOrMissing: number;
}

export interface AbuseSignals {
  returnsLast12Months: number;
  /** 0–1, 4 decimals. */
  returnRateByValue: number;
  /** 0–1, 4 decimals. */
  damagedOrMissingShare: number;
  /** The policy's serial-returner rule holds (false when the policy has none). */
  serialReturner: boolean;
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** The policy's serial-returner rule, if it has one (it needs `serialReturnerRate`). */
export function serialReturnerRule(policy: Policy): { rate: number; minCases: number } | undefined {
  if (policy.serialReturnerRate === undefined) return undefined;
  return {
    rate: policy.serialReturnerRate,
    minCases: policy.serialReturnerMinCases ?? DEFAULT_SERIAL_RETURNER_MIN_CASES,
  };
}

export function abuseSignals(history: ReturnHistory, policy: Policy): AbuseSignals {
  const returnRateByValue = Math.min(1, Math.max(0, ...history.values.map((v) => ratio(v.returned, v.ordered))));
  const rule = serialReturnerRule(policy);
  return {
    returnsLast12Months: history.returns,
    returnRateByValue,
    damagedOrMissingShare: ratio(history.damagedOrMissing, history.ended),
    serialReturner: !!rule && history.returns >= rule.minCases && returnRateByValue >= rule.rate,
  };
}

export interface ActiveFlag {
  kind: 'blocklist' | 'serial_returner';
  reason: string;
}

const percent = (x: number) => `${Math.round(x * 1000) / 10} %`;

/**
 * Why a customer's new goods-back case must wait for a manager, or null: the active flags (each
 * with its reason), and the serial-returner rule with the figures that tripped it.
 */
export function approvalReasonFor(flags: readonly ActiveFlag[], signals: AbuseSignals, policy: Policy): string | null {
  const reasons = flags.map(
    (f) => `${f.kind === 'blocklist' ? 'blocklisted' : 'flagged as serial returner'}: ${f.reason}`,
  );
  const rule = serialReturnerRule(policy);
  if (signals.serialReturner && rule) {
    reasons.push(
      `serial returner: ${signals.returnsLast12Months} returns in ${ABUSE_WINDOW_MONTHS} months, ` +
        `${percent(signals.returnRateByValue)} of the ordered value returned ` +
        `(policy ${policy.market}: from ${percent(rule.rate)} and ${rule.minCases} returns)`,
    );
  }
  return reasons.length ? reasons.join('; ') : null;
}
