/**
 * The payment providers configured here. A provider without settings is absent: its refunds stay
 * `pending` with that reason (visible as stuck at the deadline), never dropped. `gift_card` (our
 * own store-credit ledger) and `manual` (finance pays out by hand) need no settings; they live in
 * the refund activities because they write our own books.
 */
import { adyenProvider, type AdyenSettings } from './adyen.js';
import { klarnaProvider, type KlarnaSettings } from './klarna.js';
import type { PaymentProvider, PaymentProviderName } from './provider.js';
import { stripeProvider, type StripeSettings } from './stripe.js';
import { vippsMobilePayProvider, type VippsMobilePaySettings } from './vipps-mobilepay.js';

export * from './provider.js';

export interface PaymentSettings {
  stripe?: StripeSettings;
  klarna?: KlarnaSettings;
  adyen?: AdyenSettings;
  vipps_mobilepay?: VippsMobilePaySettings;
}

/** The external providers, by name, for the settings given. */
export type PaymentProviders = Partial<Record<PaymentProviderName, PaymentProvider>>;

export function paymentProviders(settings: PaymentSettings): PaymentProviders {
  return {
    ...(settings.stripe ? { stripe: stripeProvider(settings.stripe) } : {}),
    ...(settings.klarna ? { klarna: klarnaProvider(settings.klarna) } : {}),
    ...(settings.adyen ? { adyen: adyenProvider(settings.adyen) } : {}),
    ...(settings.vipps_mobilepay ? { vipps_mobilepay: vippsMobilePayProvider(settings.vipps_mobilepay) } : {}),
  };
}
