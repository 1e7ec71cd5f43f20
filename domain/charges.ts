/**
 * Money the customer owes on a case, and the card authorization that secures an exchange shipped
 * before the return arrives: their states, shared by the schema, the activities and the case view.
 */

/**
 * - `recorded`: written down, not (yet) collected by us — also the end state when no provider here
 *   can collect (the shop collects; `failureReason` says so).
 * - `collected`: charged off-session to the order's saved card (`providerReference`: the PaymentIntent).
 * - `payment_link`: the customer is sent a link to pay (`paymentUrl`; `providerReference`: the Checkout Session).
 * - `failed`: neither worked (`failureReason`).
 */
export const CHARGE_STATUSES = ['recorded', 'collected', 'payment_link', 'failed'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/**
 * - `pending`: asked of the provider, the answer not (yet) known (looked up before asking again).
 * - `held`: the replacement's value is reserved on the card, not taken.
 * - `released`: the return arrived, the reservation is cancelled.
 * - `captured`: the return never came, the held money is taken.
 * - `failed`: no hold (declined), or capturing/releasing it was refused (`reason`).
 */
export const HOLD_STATUSES = ['pending', 'held', 'released', 'captured', 'failed'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
