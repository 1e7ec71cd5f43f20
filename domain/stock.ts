import type { Disposition } from './case-status.js';

/** Where goods go: inspected returns back to sellable stock, to refurbishment or written off; replacements shipped out. */
export type StockLocation = 'sellable' | 'refurbish' | 'scrap' | 'shipped';

export function locationFor(disposition: Disposition): StockLocation {
  return disposition === 'restock' ? 'sellable' : disposition;
}
