/**
 * Counting, in PostgreSQL, by business key: the cases of a scenario (by its order-id prefix), how many
 * completed, and what was done twice.
 */
import type postgres from 'postgres';

export async function count(sql: postgres.Sql, prefix: string) {
  const cases = await sql`select id, status from return_cases where order_id like ${prefix + '-%'}`;
  const ids = cases.map((c) => c.id as string);
  // Each: rows beyond the first per case and step. A step's key is looser than its unique index
  // where it can be, so a second row under another name still counts.
  const extra = async (table: string, key: string) => {
    const rows = await sql.unsafe(
      `select coalesce(sum(n - 1), 0)::int as extra from (select count(*) as n from ${table}
        where case_id = any($1) group by case_id, ${key} having count(*) > 1) d`,
      [ids],
    );
    return Number(rows[0]!.extra);
  };
  const [rows] = await sql`select
      (select count(*) from stock_movements where case_id = any(${ids}))::int as stock,
      (select count(*) from credit_notes where case_id = any(${ids}))::int as credit,
      (select count(*) from refunds where case_id = any(${ids}))::int as refunds,
      (select count(*) from outbound_emails where case_id = any(${ids}))::int as emails,
      (select count(*) from shipments where case_id = any(${ids}))::int as shipments`;
  return {
    rows: `rows: ${rows!.stock} stock, ${rows!.credit} credit, ${rows!.refunds} refund, ${rows!.emails} email, ${rows!.shipments} shipment`,
    started: cases.length,
    completed: cases.filter((c) => c.status === 'completed').length,
    stock: await extra('stock_movements', 'order_line_id, sign(quantity)'),
    creditNotes: await extra('credit_notes', 'purpose'),
    refunds: (await extra('refunds', 'slot')) + (await extra('store_credit_entries', 'sign(amount)')),
    emails: await extra('outbound_emails', 'kind'),
    shipments: await extra('shipments', 'sku'),
  };
}
