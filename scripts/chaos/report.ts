/** A scenario's outcome, and the run's: a table, then the JSON line the test suite reads, and the exit code. */

export interface Result {
  name: string;
  started: number;
  completed: number;
  lost: number;
  duplicates: number;
  stock: number;
  creditNotes: number;
  refunds: number;
  emails: number;
  shipments: number;
  /** How many times the fault hit (worker kills, orphaned cases …): a fault that never hit proves nothing. */
  faults: number;
  notes: string[];
  error?: string;
}

function printTable(results: Result[]) {
  const head = ['scenario', 'started', 'completed', 'lost', 'dup stock', 'dup credit', 'dup refund', 'dup email'];
  const rows = results.map((r) => [
    r.name,
    r.started,
    r.completed,
    r.lost,
    r.stock,
    r.creditNotes,
    r.refunds,
    r.emails,
    r.shipments,
    r.notes.join('; '),
  ]);
  const header = [...head, 'dup shipment', 'notes'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, k) =>
        k === 0 || k === cells.length - 1 ? String(c).padEnd(widths[k]!) : String(c).padStart(widths[k]!),
      )
      .join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

/** Prints the table and, last, the summary as one JSON line; answers the exit code. */
export function report(results: Result[]): number {
  printTable(results);
  const lost = results.reduce((s, r) => s + r.lost, 0);
  const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
  console.log(
    JSON.stringify({
      scenarios: results.map(({ name, started, completed, lost, duplicates, faults, error }) => ({
        name,
        started,
        completed,
        lost,
        duplicates,
        faults,
        ...(error ? { error } : {}),
      })),
      lost,
      duplicates,
    }),
  );
  // A scenario that could not run proves nothing: that fails the run too.
  return lost + duplicates > 0 || results.some((r) => r.error) ? 1 : 0;
}
