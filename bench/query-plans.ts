/**
 * The plans of the queries an endpoint really sends: its db/ function runs against a drizzle proxy
 * that records each statement (text and parameters) instead of sending it, then each is explained
 * on the bench's database. Built by the same code as the API's, the plans cannot drift from it.
 */
import { drizzle } from 'drizzle-orm/pg-proxy';
import type { Db } from '../db/client.js';
import * as schema from '../db/schema.js';
import type { Query } from './stack.js';

export interface Statement {
  sql: string;
  params: unknown[];
}

/** The statements `run` sends, in order; each answered with no rows. */
export async function statementsOf(run: (db: Db) => Promise<unknown>): Promise<Statement[]> {
  const sent: Statement[] = [];
  const db = drizzle(
    async (sql, params) => {
      sent.push({ sql, params });
      return { rows: [] };
    },
    { schema },
  ) as unknown as Db;
  await run(db);
  return sent;
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of each statement, as text; several statements are numbered. */
export async function explain(q: Query, statements: Statement[]): Promise<string> {
  const plans: string[] = [];
  for (const s of statements) {
    const rows = await q(`explain (analyze, buffers) ${s.sql}`, s.params);
    plans.push(rows.map((r) => String(Object.values(r)[0])).join('\n'));
  }
  return plans.length === 1 ? plans[0]! : plans.map((p, k) => `-- statement ${k + 1}\n${p}`).join('\n\n');
}

/** The planner's own figure for a plan: its last line, `Execution Time: … ms`. */
export function executionMs(plan: string): number[] {
  return [...plan.matchAll(/Execution Time: ([\d.]+) ms/g)].map((m) => Number(m[1]));
}
