/**
 * Authorization holds for an exchange that ships before the return arrives: the replacement's
 * value is reserved on the card of the order's Stripe payment (manual capture), released when the
 * return arrives and captured if it never does. One hold per case (`authorization_holds.case_id`).
 *
 * Every step is idempotent: the hold row is written (`pending`) before Stripe is asked, and a hold
 * whose answer was lost is looked up by its key before it is asked again; release and capture carry
 * their own keys, and Stripe's answer for a hold already released/captured counts as done.
 * Card authorizations lapse after about 7 days: a capture after that fails, and the caller falls
 * back to collecting the charge (`collectCharge`).
 */
import { and, asc, eq } from 'drizzle-orm';
import type { HoldStatus } from '../domain/charges.js';
import { authorizationHolds, orderPayments, returnCases } from '../db/schema.js';
import { idempotencyKey, OutcomeUnknown, ProviderNotConfigured, type PaymentProvider } from '../payments/provider.js';
import type { AuthorizationHolds, HoldOutcome } from '../payments/stripe.js';
import type { ActivityDeps } from './deps.js';

export interface HoldState {
  /** `not_held`: no hold exists (no Stripe payment on the order, Stripe not configured here). */
  status: HoldStatus | 'not_held';
  amount: number;
  currency: string;
  /** The hold's PaymentIntent. */
  providerReference: string | null;
  /** Why it is not held / not released / not captured. */
  reason: string | null;
}

type HoldRow = typeof authorizationHolds.$inferSelect;
type Holder = PaymentProvider & AuthorizationHolds;

const toState = (r: HoldRow): HoldState => ({
  status: r.status,
  amount: r.amount,
  currency: r.currency,
  providerReference: r.providerReference,
  reason: r.reason,
});

const canHold = (p: PaymentProvider | undefined): p is Holder =>
  typeof (p as Partial<AuthorizationHolds> | undefined)?.holdAuthorization === 'function';

/** The keys of one case's hold and of its release and capture. */
export const holdKey = (caseId: string, paymentReference: string) => idempotencyKey(caseId, 'hold', paymentReference);
const releaseKey = (caseId: string, holdReference: string) => idempotencyKey(caseId, 'hold:release', holdReference);
const captureKey = (caseId: string, holdReference: string) => idempotencyKey(caseId, 'hold:capture', holdReference);

export function holdActivities({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
  async function load(caseId: string): Promise<HoldRow | undefined> {
    const [row] = await db.select().from(authorizationHolds).where(eq(authorizationHolds.caseId, caseId));
    return row;
  }

  /** Moves a hold on from the status it had when read (a concurrent attempt that moved it first stands). */
  async function move(row: HoldRow, change: Partial<typeof authorizationHolds.$inferInsert>): Promise<HoldState> {
    const final = change.status === 'released' || change.status === 'captured' || change.status === 'failed';
    await db
      .update(authorizationHolds)
      .set({ ...change, ...(final ? { settledAt: new Date() } : {}) })
      .where(and(eq(authorizationHolds.id, row.id), eq(authorizationHolds.status, row.status)));
    return toState((await load(row.caseId))!);
  }

  async function noHold(caseId: string, reason: string, amount = 0): Promise<HoldState> {
    const [c] = await db.select({ currency: returnCases.currency }).from(returnCases).where(eq(returnCases.id, caseId));
    if (!c) throw new Error(`case ${caseId} not found`);
    return { status: 'not_held', amount, currency: c.currency, providerReference: null, reason };
  }

  function holderOf(row: HoldRow): Holder | undefined {
    const p = payments[row.provider];
    return canHold(p) ? p : undefined;
  }

  /**
   * A hold whose answer is not known (`pending`): what the provider knows decides; unknown → asked
   * (same key). `how`: `ask` right after the row was written; `look-then-ask` when the row was there
   * before this attempt (an earlier one may have been heard); `look` for release and capture, which
   * never make a hold (not found → failed: there is nothing to release or capture).
   */
  async function resolvePending(
    row: HoldRow,
    holder: Holder,
    how: 'ask' | 'look-then-ask' | 'look',
  ): Promise<HoldState> {
    const lookup = {
      idempotencyKey: holdKey(row.caseId, row.paymentReference),
      paymentReference: row.paymentReference,
    };
    const applyHold = async (outcome: HoldOutcome): Promise<HoldState> => {
      if (outcome.status === 'held')
        return move(row, { status: 'held', providerReference: outcome.providerReference, reason: null });
      if (outcome.status === 'failed')
        return move(row, { status: 'failed', providerReference: outcome.providerReference, reason: outcome.reason });
      await move(row, { providerReference: outcome.providerReference, reason: outcome.reason ?? 'processing' });
      throw new Error(
        `hold for case ${row.caseId} is still processing at ${row.provider} (${outcome.providerReference}): retry to look it up`,
      );
    };
    if (how !== 'ask') {
      // The row is written just before the call: an attempt that left it pending may have been heard.
      const found = await holder.findHold(lookup);
      if (found) return applyHold(found);
      if (how === 'look') return move(row, { status: 'failed', reason: `${row.provider} never made this hold` });
    }
    let outcome: HoldOutcome;
    try {
      outcome = await holder.holdAuthorization({
        idempotencyKey: lookup.idempotencyKey,
        paymentReference: row.paymentReference,
        amount: row.amount,
        currency: row.currency,
        caseId: row.caseId,
        description: `Authorization for the replacement of return ${row.caseId}`,
      });
    } catch (err) {
      if (!(err instanceof OutcomeUnknown)) throw err;
      const found = await holder.findHold(lookup);
      if (!found) throw err;
      outcome = found;
    }
    return applyHold(outcome);
  }

  return {
    /**
     * Reserves `amount` (minor units, the case's currency) on the card of the order's first Stripe
     * payment. Idempotent: a case's hold is asked once; later calls answer its state.
     */
    async holdReplacementValue({ caseId, amount }: { caseId: string; amount: number }): Promise<HoldState> {
      const existing = await load(caseId);
      if (!existing) {
        const [c] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
        if (!c) throw new Error(`case ${caseId} not found`);
        const notHeld = (reason: string): HoldState => ({
          status: 'not_held',
          amount,
          currency: c.currency,
          providerReference: null,
          reason,
        });
        if (amount <= 0) return notHeld('nothing to hold: the amount is 0');
        const tenders = await db
          .select()
          .from(orderPayments)
          .where(eq(orderPayments.orderId, c.orderId))
          .orderBy(asc(orderPayments.position));
        const tender = tenders.find((t) => canHold(payments[t.provider]));
        if (!tender) {
          const names = [...new Set(tenders.map((t) => t.provider))];
          return notHeld(
            names.includes('stripe')
              ? 'stripe is not configured here: no authorization hold'
              : `no card payment that can hold money (order paid by ${names.length ? names.join(', ') : 'no recorded payment'})`,
          );
        }
        await db
          .insert(authorizationHolds)
          .values({
            caseId,
            provider: tender.provider,
            paymentReference: tender.reference,
            amount,
            currency: c.currency,
            status: 'pending',
          })
          .onConflictDoNothing();
      }
      const row = (await load(caseId))!;
      if (row.status !== 'pending') return toState(row);
      const holder = holderOf(row);
      if (!holder)
        return move(row, { status: 'failed', reason: `${row.provider} is not configured here: no authorization hold` });
      try {
        return await resolvePending(row, holder, existing ? 'look-then-ask' : 'ask');
      } catch (err) {
        if (err instanceof ProviderNotConfigured)
          return move((await load(caseId))!, { status: 'failed', reason: `${row.provider}: ${err.message}` });
        throw err;
      }
    },

    /** The return arrived: the hold is cancelled. Idempotent; a hold already gone answers its state. */
    async releaseHold({ caseId }: { caseId: string }): Promise<HoldState> {
      let row = await load(caseId);
      if (!row) return noHold(caseId, 'no authorization hold on this case');
      const holder = holderOf(row);
      if (row.status === 'pending' && holder) {
        await resolvePending(row, holder, 'look');
        row = (await load(caseId))!;
      }
      if (row.status !== 'held') return toState(row);
      if (!holder || !row.providerReference) return toState(row);
      try {
        const out = await holder.releaseHold({
          idempotencyKey: releaseKey(caseId, row.providerReference),
          holdReference: row.providerReference,
        });
        if (out.status === 'released') return move(row, { status: 'released', reason: null });
        return move(row, { status: 'failed', reason: `release: ${out.reason}` });
      } catch (err) {
        // Still held (it lapses at the card network within about 7 days); the reason says why.
        if (err instanceof ProviderNotConfigured) return move(row, { reason: `release: ${err.message}` });
        throw err;
      }
    },

    /**
     * The return never came: the held money is taken. Anything but `captured` (declined, lapsed,
     * released, no hold) means the caller collects the charge another way (`collectCharge`).
     */
    async captureHold({ caseId }: { caseId: string }): Promise<HoldState> {
      let row = await load(caseId);
      if (!row) return noHold(caseId, 'no authorization hold on this case');
      const holder = holderOf(row);
      if (row.status === 'pending' && holder) {
        await resolvePending(row, holder, 'look');
        row = (await load(caseId))!;
      }
      if (row.status !== 'held') return toState(row);
      if (!holder || !row.providerReference)
        return move(row, { status: 'failed', reason: `capture: ${row.provider} is not configured here` });
      try {
        const out = await holder.captureHold({
          idempotencyKey: captureKey(caseId, row.providerReference),
          holdReference: row.providerReference,
        });
        if (out.status === 'succeeded') return move(row, { status: 'captured', reason: null });
        if (out.status === 'failed') return move(row, { status: 'failed', reason: `capture: ${out.reason}` });
        throw new Error(`capture of the hold for case ${caseId} is still processing (${row.providerReference}): retry`);
      } catch (err) {
        if (err instanceof ProviderNotConfigured)
          return move(row, { status: 'failed', reason: `capture: ${err.message}` });
        throw err;
      }
    },
  };
}
