/**
 * Registers the case search attributes on a namespace (test servers, self-hosted clusters). The dev
 * server gets them as start flags; on Temporal Cloud create them in the UI or with tcld.
 */
import { type Connection } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/messages.js';

const { temporal } = proto;

const INDEXED_TYPE: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/** Adds the ones the namespace lacks; returns their names. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  } catch (err) {
    // The time-skipping test server can add but not list.
    if ((err as { code?: number }).code !== status.UNIMPLEMENTED) throw err;
  }
  const missing = CASE_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]!])),
    });
  } catch (err) {
    if ((err as { code?: number }).code !== status.ALREADY_EXISTS) throw err;
  }
  return missing.map((k) => k.name);
}
