/**
 * Configuration comes only from the environment and is validated at start: a missing or invalid
 * variable stops the process with a message naming it.
 */
import { z } from 'zod';
import type { CarrierSettings } from '../carriers/index.js';
import type { Address } from '../documents/label-pdf.js';
import { durationMs, isDuration } from '../domain/duration.js';

export type Mode = 'dev' | 'api' | 'worker';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const EnvSchema = z.object({
  PORT: port(3000),
  DATA_DIR: z.string().default('.data'),
  ADMIN_API_KEY: optionalString.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http(s) URL'),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('returns'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  SMTP_URL: optionalString.refine((v) => v === undefined || /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL'),
  POSTNORD_API_URL: z.string().url().default('https://api2.postnord.com'),
  POSTNORD_API_KEY: optionalString,
  POSTNORD_POLL_INTERVAL: z
    .string()
    .refine(isDuration, 'must be an ISO 8601 duration such as PT4H')
    .refine((v) => !isDuration(v) || durationMs(v) >= 60_000, 'must be at least PT1M (PostNord rate-limits)')
    .default('PT4H'),
  POSTNORD_ITEM_PREFIX: optionalString.refine((v) => v === undefined || /^[A-Z]{2}$/.test(v), 'must be two capital letters (S10 item-id prefix)'),
  POSTNORD_ITEM_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code').default('SE'),
  POSTNORD_ITEM_RANGE: optionalString
    .refine((v) => v === undefined || /^\d{1,8}-\d{1,8}$/.test(v), 'must be FIRST-LAST serials, e.g. 10000000-19999999')
    .transform((v) => (v === undefined ? undefined : { from: Number(v.split('-')[0]), to: Number(v.split('-')[1]) }))
    .refine((r) => r === undefined || r.from <= r.to, 'FIRST must not be above LAST'),
  WAREHOUSE_NAME: z.string().min(1).default('Returns Warehouse'),
  WAREHOUSE_ADDRESS: optionalString,
  WAREHOUSE_COUNTRY: optionalString.refine((v) => v === undefined || /^[A-Z]{2}$/.test(v), 'must be a two-letter country code'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof EnvSchema> & { mode: Mode };

export class ConfigError extends Error {}

export function loadConfig(mode: Mode, env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config: Config = { ...parsed.data, mode };
  const missing: string[] = [];
  if (mode !== 'dev') {
    if (mode === 'api' && !config.ADMIN_API_KEY) missing.push('ADMIN_API_KEY (the bootstrap admin key)');
    if (!config.TEMPORAL_ADDRESS) missing.push('TEMPORAL_ADDRESS (host:port of the Temporal frontend)');
    if (!config.DATABASE_URL) missing.push('DATABASE_URL (postgres://…; the embedded database is for one-process dev mode only)');
  }
  if (Boolean(config.TEMPORAL_TLS_CERT_PATH) !== Boolean(config.TEMPORAL_TLS_KEY_PATH)) {
    missing.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH (set both or neither)');
  }
  if (Boolean(config.WAREHOUSE_ADDRESS) !== Boolean(config.WAREHOUSE_COUNTRY)) {
    missing.push('WAREHOUSE_ADDRESS and WAREHOUSE_COUNTRY (set both or neither)');
  }
  if (config.POSTNORD_API_KEY) {
    // PostNord labels use item ids from the range PostNord assigned the shop: no guessing.
    if (!config.POSTNORD_ITEM_PREFIX) missing.push('POSTNORD_ITEM_PREFIX (the two letters of your PostNord item-id range)');
    if (!config.POSTNORD_ITEM_RANGE) missing.push('POSTNORD_ITEM_RANGE (FIRST-LAST serials of your PostNord item-id range)');
  }
  if (missing.length) throw new ConfigError(`missing configuration:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  return config;
}

export function publicUrl(config: Config): string {
  return config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
}

/** Settings of the carriers configured here; PostNord only with an API key. */
export function carrierSettings(config: Config): CarrierSettings {
  if (!config.POSTNORD_API_KEY || !config.POSTNORD_ITEM_PREFIX || !config.POSTNORD_ITEM_RANGE) return {};
  const { from, to } = config.POSTNORD_ITEM_RANGE;
  return {
    postnord: {
      apiUrl: config.POSTNORD_API_URL,
      apiKey: config.POSTNORD_API_KEY,
      pollEvery: config.POSTNORD_POLL_INTERVAL,
      itemPrefix: config.POSTNORD_ITEM_PREFIX,
      itemCountry: config.POSTNORD_ITEM_COUNTRY,
      serialFrom: from,
      serialTo: to,
    },
  };
}

/** The warehouse return parcels go to (labels, customs); undefined → the built-in default. Address lines are separated by `|`. */
export function warehouseAddress(config: Config): Address | undefined {
  if (!config.WAREHOUSE_ADDRESS || !config.WAREHOUSE_COUNTRY) return undefined;
  const lines = config.WAREHOUSE_ADDRESS.split('|').map((l) => l.trim()).filter(Boolean);
  return { name: config.WAREHOUSE_NAME, lines, country: config.WAREHOUSE_COUNTRY };
}
