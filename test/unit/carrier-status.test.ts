import { describe, expect, it } from 'vitest';
import { AFTERSHIP_TAGS, EASYPOST_STATUSES, GENERIC_STATUSES, mapCarrierStatus } from '../../domain/carrier-status.js';

describe('mapCarrierStatus', () => {
  it.each([
    ['pre_transit', 'info'],
    ['in_transit', 'in_transit'],
    ['out_for_delivery', 'in_transit'],
    ['delivered', 'delivered'],
    ['available_for_pickup', 'info'],
    ['return_to_sender', 'info'],
    ['failure', 'info'],
    ['cancelled', 'info'],
    ['error', 'info'],
    ['unknown', 'info'],
  ] as const)('easypost %s → %s', (status, mapped) => {
    expect(mapCarrierStatus('easypost', status)).toBe(mapped);
  });

  it.each([
    ['InfoReceived', 'info'],
    ['InTransit', 'in_transit'],
    ['OutForDelivery', 'in_transit'],
    ['AttemptFail', 'info'],
    ['Delivered', 'delivered'],
    ['AvailableForPickup', 'info'],
    ['Exception', 'info'],
    ['Expired', 'info'],
    ['Pending', 'info'],
  ] as const)('aftership %s → %s', (tag, mapped) => {
    expect(mapCarrierStatus('aftership', tag)).toBe(mapped);
  });

  it.each([
    ['in_transit', 'in_transit'],
    ['out_for_delivery', 'in_transit'],
    ['delivered', 'delivered'],
    ['exception', 'info'],
    ['returned_to_sender', 'info'],
  ] as const)('generic %s → %s', (status, mapped) => {
    expect(mapCarrierStatus('generic', status)).toBe(mapped);
  });

  it('covers every listed status and records unknown ones only', () => {
    expect(EASYPOST_STATUSES).toHaveLength(10);
    expect(AFTERSHIP_TAGS).toHaveLength(9);
    expect(GENERIC_STATUSES).toHaveLength(5);
    expect(mapCarrierStatus('easypost', 'something_new')).toBe('info');
    expect(mapCarrierStatus('aftership', 'toString')).toBe('info');
    expect(mapCarrierStatus('generic', 'Delivered')).toBe('info');
  });
});
