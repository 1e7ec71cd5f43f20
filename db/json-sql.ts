/**
 * SQL builders for reading child rows as json inside their parent's select (the case view's one
 * round trip), in the exact shapes and formats the API shows.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * A timestamptz as `Date#toISOString()` writes it (UTC, milliseconds, `Z`); json alone would render
 * it in the session's time zone as `+00:00`. The columns hold milliseconds (precision 3).
 */
export const isoTimestamp = (at: SQLWrapper): SQL =>
  sql`to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A json object of the fields, keys in the given order (the order JSON.parse keeps). */
export function jsonObject(fields: Record<string, SQLWrapper>): SQL {
  const pairs = Object.entries(fields).map(([key, value]) => {
    // Keys are identifiers from our code, inlined because json_build_object cannot type a bound key.
    if (!/^\w+$/.test(key)) throw new Error(`bad json key ${key}`);
    return sql`${sql.raw(`'${key}'`)}, ${value}`;
  });
  return sql`json_build_object(${sql.join(pairs, sql`, `)})`;
}

/** The rows of `table` matching `where` as a json array of `fields` in `orderBy` order; `[]` when none. */
export function jsonRows(table: PgTable, where: SQL, fields: Record<string, SQLWrapper>, orderBy: SQLWrapper[]): SQL {
  return sql`coalesce((select json_agg(${jsonObject(fields)} order by ${sql.join(orderBy, sql`, `)}) from ${table} where ${where}), '[]'::json)`;
}

/** A json value as it comes back: postgres.js and PGlite parse json, a driver that does not gives text. */
export const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
