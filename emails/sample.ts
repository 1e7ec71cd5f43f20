/** A made-up case to preview the e-mail templates with (GET /v1/email-templates/:kind/preview). */
import type { EmailCase } from './render.js';

export function sampleCase(currency: string): EmailCase {
  return {
    id: 'R-SAMPLE-1',
    orderId: 'O-10042',
    currency,
    lines: [
      { orderLineId: 'L1', sku: 'SWEATER-M', quantity: 1, reason: 'wrong_size', condition: 'new', disposition: null },
      {
        orderLineId: 'L2',
        sku: 'SCARF-RED',
        quantity: 1,
        reason: 'changed_mind',
        condition: 'opened',
        disposition: null,
      },
    ],
    label: { carrier: 'local', trackingNumber: 'LOC123456789NO', url: null },
    creditNotes: [{ number: 'CN-000042', amount: 49_900, currency }],
    refunds: [
      {
        id: 'RF-SAMPLE-1',
        caseId: 'R-SAMPLE-1',
        amount: 49_900,
        currency,
        purpose: 'return_credit',
        provider: 'stripe',
        providerReference: 're_sample',
        status: 'succeeded',
        failureReason: null,
        createdAt: '2026-01-15T10:00:00.000Z',
        settledAt: '2026-01-15T10:00:05.000Z',
      },
    ],
    charges: [
      {
        amount: 12_500,
        currency,
        reason: 'price difference for the replacement',
        purpose: 'price_difference',
        status: 'collected',
        paymentUrl: null,
        providerReference: 'pi_sample',
      },
    ],
    shipments: [
      { id: 'SH-SAMPLE-1', sku: 'SWEATER-L', quantity: 1, trackingNumber: 'LOC987654321NO', status: 'shipped' },
    ],
  };
}
