import { describe, expect, it } from 'vitest';
import { subscribesTo, webhookEventFor, WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js';

describe('webhookEventFor', () => {
  it.each([
    ['case.started', 'return.created'],
    ['parcel.in_transit', 'return.in_transit'],
    ['parcel.received', 'return.received'],
    ['inspected', 'return.inspected'],
    ['completed', 'return.completed'],
    ['cancelled', 'return.cancelled'],
    ['expired', 'return.expired'],
    ['credit_note.issued', 'credit_note.issued'],
    ['replacement.shipped', 'shipment.created'],
    ['charge.recorded', 'charge.recorded'],
    ['refund.succeeded', 'refund.succeeded'],
    ['refund.failed', 'refund.failed'],
  ])('%s → %s', (timeline, event) => {
    expect(webhookEventFor(timeline)).toBe(event);
  });

  it.each([
    'label.issued',
    'stock.moved',
    'email.sent',
    'status.awaiting_parcel',
    'deadline.missed',
    'refund.pending',
    'toString',
    '__proto__',
    '',
  ])('%s raises no webhook', (timeline) => {
    expect(webhookEventFor(timeline)).toBeUndefined();
  });

  it('lists each event type once', () => {
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(12);
    expect(new Set(WEBHOOK_EVENT_TYPES).size).toBe(12);
  });
});

describe('subscribesTo', () => {
  it('matches listed types and the wildcard', () => {
    expect(subscribesTo(['return.created'], 'return.created')).toBe(true);
    expect(subscribesTo(['return.created'], 'return.completed')).toBe(false);
    expect(subscribesTo(['*'], 'charge.recorded')).toBe(true);
    expect(subscribesTo(null, 'return.created')).toBe(false);
  });
});
