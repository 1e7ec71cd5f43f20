/**
 * Authorization holds (an exchange shipped before the return arrives): captured if the return never
 * comes, released when it does. Card authorizations lapse after about 7 days at most card networks;
 * the caller must capture or release before that.
 */
import type Stripe from 'stripe';
import type { ChargeOutcome, ChargeRequest } from '../provider.js';
import type { StripeClient } from './client.js';
import type {
  AuthorizationHolds,
  CaptureHoldRequest,
  ChargeLookup,
  HoldOutcome,
  ReleaseHoldRequest,
  ReleaseOutcome,
} from './contract.js';
import { classify } from './errors.js';
import type { OffSessionIntents } from './off-session.js';
import { mapCharge, mapHold } from './outcomes.js';

export function stripeHolds(
  stripe: StripeClient,
  { createOffSession, findIntent }: OffSessionIntents,
): AuthorizationHolds {
  return {
    async findHold(lookup: ChargeLookup): Promise<HoldOutcome | null> {
      const mine = await findIntent(lookup);
      return mine ? mapHold(mine) : null;
    },

    async holdAuthorization(req: ChargeRequest): Promise<HoldOutcome> {
      const pi = await createOffSession(req, true);
      if ('failed' in pi) return { status: 'failed', providerReference: pi.providerReference, reason: pi.failed };
      return mapHold(pi);
    },

    async captureHold(req: CaptureHoldRequest): Promise<ChargeOutcome> {
      try {
        const pi = await stripe().paymentIntents.capture(
          req.holdReference,
          req.amount !== undefined ? { amount_to_capture: req.amount } : {},
          { idempotencyKey: req.idempotencyKey },
        );
        return mapCharge(pi);
      } catch (err) {
        // Captured already (an earlier attempt whose answer was lost): that is the goal.
        const reason = classify(err, 'write', `capture ${req.holdReference}`);
        const after = await statusAfterFailedWrite(stripe, req.holdReference, reason, 'succeeded');
        return 'reached' in after ? { status: 'succeeded', providerReference: after.reached } : after;
      }
    },

    async releaseHold(req: ReleaseHoldRequest): Promise<ReleaseOutcome> {
      try {
        const pi = await stripe().paymentIntents.cancel(
          req.holdReference,
          { cancellation_reason: 'requested_by_customer' },
          { idempotencyKey: req.idempotencyKey },
        );
        return pi.status === 'canceled'
          ? { status: 'released', providerReference: pi.id }
          : { status: 'failed', providerReference: pi.id, reason: `PaymentIntent is ${pi.status} after cancel` };
      } catch (err) {
        // Released already (an earlier attempt whose answer was lost, or it lapsed): that is the goal.
        const reason = classify(err, 'write', `cancel ${req.holdReference}`);
        const after = await statusAfterFailedWrite(stripe, req.holdReference, reason, 'canceled');
        return 'reached' in after ? { status: 'released', providerReference: after.reached } : after;
      }
    },
  };
}

interface FailedWrite {
  status: 'failed';
  providerReference: string;
  reason: string;
}

/**
 * After a capture or cancel that failed: reads the PaymentIntent, which may have reached `goal`
 * anyway (an earlier attempt whose answer was lost). Its id when it did, else the failure.
 */
async function statusAfterFailedWrite(
  stripe: StripeClient,
  holdReference: string,
  reason: string,
  goal: Stripe.PaymentIntent.Status,
): Promise<{ reached: string } | FailedWrite> {
  let current: Stripe.PaymentIntent;
  try {
    current = await stripe().paymentIntents.retrieve(holdReference);
  } catch (readErr) {
    return {
      status: 'failed',
      providerReference: holdReference,
      reason: `${reason}; ${classify(readErr, 'read', `retrieve ${holdReference}`)}`,
    };
  }
  if (current.status === goal) return { reached: current.id };
  return { status: 'failed', providerReference: current.id, reason: `${reason} (PaymentIntent is ${current.status})` };
}
