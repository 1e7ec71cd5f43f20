import type { Disposition } from './case-status.js';

/** Where inspected goods go: back to sellable stock, to refurbishment, or written off. */
export type StockLocation = 'sellable' | 'refurbish' | 'scrap';

export function locationFor(disposition: Disposition): StockLocation {
  return disposition === 'restock' ? 'sellable' : disposition;
}
