/**
 * Off-session charges on the original payment's card. Declines and `authentication_required` are
 * `failed`: the caller falls back to a payment link.
 */
import type { ChargeOutcome, ChargeRequest } from '../provider.js';
import type { ChargeLookup } from './contract.js';
import type { OffSessionIntents } from './off-session.js';
import { mapCharge } from './outcomes.js';

export function stripeCharges({ createOffSession, findIntent }: OffSessionIntents) {
  return {
    async charge(req: ChargeRequest): Promise<ChargeOutcome> {
      const pi = await createOffSession(req, false);
      if ('failed' in pi) return { status: 'failed', providerReference: pi.providerReference, reason: pi.failed };
      return mapCharge(pi);
    },

    async findCharge(lookup: ChargeLookup): Promise<ChargeOutcome | null> {
      const mine = await findIntent(lookup);
      if (!mine) return null;
      return mine.status === 'requires_capture'
        ? { status: 'pending', providerReference: mine.id, reason: 'held, not captured' }
        : mapCharge(mine);
    },
  };
}
