/**
 * Hot-path statements built once per database handle. A drizzle query built per call costs its
 * building each time; a prepared one is built once, and postgres.js (PostgreSQL, and the embedded
 * server it speaks to) keeps it as a named statement per connection, so it is planned once too.
 */
import type { Db } from './client.js';

export function preparedFor<T>(build: (db: Db) => T): (db: Db) => T {
  const byDb = new WeakMap<Db, T>();
  return (db) => {
    let query = byDb.get(db);
    if (query === undefined) {
      query = build(db);
      byDb.set(db, query);
    }
    return query;
  };
}
