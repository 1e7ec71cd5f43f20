/** The built-in `local` carrier: the shop's own label with a random tracking number; parcels arrive by dock scan. */
import { randomInt } from 'node:crypto';
import type { LabelCarrierAdapter } from './carrier.js';

/** `LR` + 12 digits: unambiguous to read aloud and to scan. */
export function newLocalTrackingNumber(): string {
  let digits = '';
  for (let i = 0; i < 12; i++) digits += randomInt(10);
  return `LR${digits}`;
}

export const local: LabelCarrierAdapter = {
  name: 'local',
  createLabel: async () => ({ trackingNumber: newLocalTrackingNumber() }),
  // It reports no events of its own: nothing it could say moves a case.
  mapStatus: () => 'info',
};
