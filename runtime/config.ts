/**
 * Configuration comes only from the environment and is validated at start: a missing or invalid
 * variable stops the process with a message naming it.
 */
import { z } from 'zod';
import type { Brand } from '../activities/deps.js';
import type { LimitSettings } from '../api/limits.js';
import type { CarrierSettings } from '../carriers/index.js';
import type { Address } from '../documents/label-pdf.js';
import type { PaymentSettings } from '../payments/index.js';
import { durationMs, isDuration } from '../domain/duration.js';

export type Mode = 'dev' | 'api' | 'worker';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const flag = (fallback: '0' | '1') =>
  z
    .enum(['', '0', '1', 'false', 'true'], { error: 'must be 1 or 0 (true or false)' })
    .default(fallback)
    .transform((v) => (v === '' ? fallback === '1' : v === '1' || v === 'true'));

/**
 * The case worker's limits (runtime/worker.ts). A cached workflow keeps its state in memory between
 * tasks; one evicted from the cache replays its history at its next task (a scan, a timer), which
 * for a case is tens of events. So the cache, not the number of open cases, bounds the worker's
 * memory, and it only needs to hold the cases that are busy at once.
 */
const WorkerTuningSchema = z.object({
  // Defaults measured with 3,000 open cases on 2 cores (BENCHMARKS.md, worker tuning): the SDK's
  // larger ones took the same time to take them in and 264 MB more memory.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(20),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(20),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  WORKER_REUSE_V8_CONTEXT: flag('1'),
});

const EnvSchema = z.object({
  PORT: port(3000),
  DATA_DIR: z.string().default('.data'),
  ADMIN_API_KEY: optionalString.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  PUBLIC_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http(s) URL'),
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    'must be a postgres:// URL',
  ),
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
  /** Where managers open a case's workflow from the dashboard (the Temporal Web UI). */
  TEMPORAL_UI_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://localhost:8233'),
  SMTP_URL: optionalString.refine(
    (v) => v === undefined || /^smtps?:\/\//.test(v),
    'must be an smtp:// or smtps:// URL',
  ),
  POSTNORD_API_URL: z.string().url().default('https://api2.postnord.com'),
  POSTNORD_API_KEY: optionalString,
  POSTNORD_POLL_INTERVAL: z
    .string()
    .refine(isDuration, 'must be an ISO 8601 duration such as PT4H')
    .refine((v) => !isDuration(v) || durationMs(v) >= 60_000, 'must be at least PT1M (PostNord rate-limits)')
    .default('PT4H'),
  POSTNORD_ITEM_PREFIX: optionalString.refine(
    (v) => v === undefined || /^[A-Z]{2}$/.test(v),
    'must be two capital letters (S10 item-id prefix)',
  ),
  POSTNORD_ITEM_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code')
    .default('SE'),
  POSTNORD_ITEM_RANGE: optionalString
    .refine((v) => v === undefined || /^\d{1,8}-\d{1,8}$/.test(v), 'must be FIRST-LAST serials, e.g. 10000000-19999999')
    .transform((v) => (v === undefined ? undefined : { from: Number(v.split('-')[0]), to: Number(v.split('-')[1]) }))
    .refine((r) => r === undefined || r.from <= r.to, 'FIRST must not be above LAST'),
  WAREHOUSE_NAME: z.string().min(1).default('Returns Warehouse'),
  WAREHOUSE_ADDRESS: optionalString,
  WAREHOUSE_COUNTRY: optionalString.refine(
    (v) => v === undefined || /^[A-Z]{2}$/.test(v),
    'must be a two-letter country code',
  ),
  STRIPE_API_KEY: optionalString,
  STRIPE_API_URL: z.string().url().default('https://api.stripe.com'),
  KLARNA_USERNAME: optionalString,
  KLARNA_PASSWORD: optionalString,
  KLARNA_API_URL: z.string().url().default('https://api.klarna.com'),
  ADYEN_API_KEY: optionalString,
  ADYEN_MERCHANT_ACCOUNT: optionalString,
  ADYEN_CHECKOUT_URL: z.string().url().default('https://checkout-test.adyen.com/v71'),
  VIPPS_CLIENT_ID: optionalString,
  VIPPS_CLIENT_SECRET: optionalString,
  VIPPS_SUBSCRIPTION_KEY: optionalString,
  VIPPS_MERCHANT_SERIAL_NUMBER: optionalString,
  VIPPS_API_URL: z.string().url().default('https://api.vipps.no'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .enum(['', '0', '1', 'false', 'true'], { error: 'must be 1 or 0 (true or false)' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  // api/limits.ts: in-memory, per process, fixed one-minute windows.
  RATE_LIMIT_PER_KEY_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  TRUST_PROXY: z
    .enum(['', '0', '1', 'false', 'true'], { error: 'must be 1 or 0 (true or false)' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  // The reconciler of cases left without a workflow (runtime/worker.ts ensureReconcileSchedule).
  RECONCILE_EVERY: z
    .string()
    .refine(isDuration, 'must be an ISO 8601 duration such as PT1M')
    .refine((v) => !isDuration(v) || durationMs(v) >= 1000, 'must be at least PT1S')
    .default('PT1M'),
  RECONCILE_AFTER: z
    .string()
    .refine(isDuration, 'must be an ISO 8601 duration such as PT1M')
    .refine((v) => !isDuration(v) || durationMs(v) >= 1000, 'must be at least PT1S')
    .default('PT1M'),
  // Customer-facing branding and links (e-mails, portal).
  SHOP_NAME: z.string().min(1).default('Returns'),
  MAIL_FROM: z.string().min(3).default('returns@returns-orchestrator.local'),
  MAIL_REPLY_TO: optionalString,
  SHOP_LOGO_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http(s) URL'),
  SHOP_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
    .default('#1f4e79'),
  /** A directory whose `<locale>.json` files override the built-in e-mail templates key by key. */
  EMAIL_TEMPLATES_DIR: optionalString,
  /** Signs the links sent to customers (portal sessions, unsubscribe); the same value in API and worker. */
  LINK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...WorkerTuningSchema.shape,
});

export type Config = z.infer<typeof EnvSchema> & { mode: Mode };
/** api and worker mode: loadConfig refuses to start without an external Temporal cluster and PostgreSQL. */
export type WorkerConfig = Config & { TEMPORAL_ADDRESS: string; DATABASE_URL: string };
/** The API also needs its bootstrap admin key. */
export type ApiConfig = WorkerConfig & { ADMIN_API_KEY: string };

export class ConfigError extends Error {}

const invalid = (issues: { path: PropertyKey[]; message: string }[]) =>
  new ConfigError(`invalid configuration:\n${issues.map((i) => `  ${String(i.path[0])}: ${i.message}`).join('\n')}`);

// The mode's required variables are checked below, so each mode gets the type that has them.
export function loadConfig(mode: 'api', env?: NodeJS.ProcessEnv): ApiConfig;
export function loadConfig(mode: 'worker', env?: NodeJS.ProcessEnv): WorkerConfig;
export function loadConfig(mode: Mode, env?: NodeJS.ProcessEnv): Config;
export function loadConfig(mode: Mode, env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const config: Config = { ...parsed.data, mode };
  workerTuning(config);
  if (mode !== 'dev' && config.ADMIN_API_KEY) {
    const weak = weakAdminKey(config.ADMIN_API_KEY);
    if (weak) throw new ConfigError(`invalid configuration:\n  ADMIN_API_KEY: ${weak}`);
  }
  const missing: string[] = [];
  if (mode !== 'dev') {
    if (mode === 'api' && !config.ADMIN_API_KEY) missing.push('ADMIN_API_KEY (the bootstrap admin key)');
    if (!config.TEMPORAL_ADDRESS) missing.push('TEMPORAL_ADDRESS (host:port of the Temporal frontend)');
    if (!config.DATABASE_URL)
      missing.push('DATABASE_URL (postgres://…; the embedded database is for one-process dev mode only)');
    if (!config.LINK_SECRET)
      missing.push('LINK_SECRET (signs portal and unsubscribe links; the same random value for API and worker)');
  }
  if (Boolean(config.TEMPORAL_TLS_CERT_PATH) !== Boolean(config.TEMPORAL_TLS_KEY_PATH)) {
    missing.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH (set both or neither)');
  }
  if (Boolean(config.WAREHOUSE_ADDRESS) !== Boolean(config.WAREHOUSE_COUNTRY)) {
    missing.push('WAREHOUSE_ADDRESS and WAREHOUSE_COUNTRY (set both or neither)');
  }
  if (config.POSTNORD_API_KEY) {
    // PostNord labels use item ids from the range PostNord assigned the shop: no guessing.
    if (!config.POSTNORD_ITEM_PREFIX)
      missing.push('POSTNORD_ITEM_PREFIX (the two letters of your PostNord item-id range)');
    if (!config.POSTNORD_ITEM_RANGE)
      missing.push('POSTNORD_ITEM_RANGE (FIRST-LAST serials of your PostNord item-id range)');
  }
  // A provider is configured by all of its credentials or none: half a set is a typo, not a choice.
  for (const [provider, names] of Object.entries(PROVIDER_CREDENTIALS)) {
    const set = names.filter((n) => config[n] !== undefined);
    if (set.length > 0 && set.length < names.length) missing.push(`${names.join(', ')} (${provider}: set all or none)`);
  }
  if (missing.length) throw new ConfigError(`missing configuration:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  return config;
}

/** Outside dev mode the bootstrap admin key must be long and random (e.g. `openssl rand -hex 32`). */
export const ADMIN_KEY_MIN_LENGTH = 32;
export const ADMIN_KEY_MIN_DISTINCT = 8;
/** Shannon entropy of the key's own character frequencies, bits per character (32 random hex digits: ≥ 2.9). */
export const ADMIN_KEY_MIN_BITS_PER_CHAR = 2.5;

/** Why `key` is too weak for a bootstrap admin key, or undefined when it will do. */
export function weakAdminKey(key: string): string | undefined {
  const chars = [...key];
  if (chars.length < ADMIN_KEY_MIN_LENGTH) {
    return `must be at least ${ADMIN_KEY_MIN_LENGTH} characters outside dev mode (e.g. openssl rand -hex 32)`;
  }
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < ADMIN_KEY_MIN_DISTINCT) {
    return `must be random: it has only ${counts.size} distinct characters (at least ${ADMIN_KEY_MIN_DISTINCT})`;
  }
  let bits = 0;
  for (const n of counts.values()) bits -= (n / chars.length) * Math.log2(n / chars.length);
  if (bits < ADMIN_KEY_MIN_BITS_PER_CHAR) {
    return `must be random: too repetitive (${bits.toFixed(1)} bits per character, at least ${ADMIN_KEY_MIN_BITS_PER_CHAR})`;
  }
  for (let period = 1; period <= chars.length / 2; period++) {
    if (chars.every((ch, i) => ch === chars[i % period]))
      return `must be random: it repeats a ${period}-character pattern`;
  }
  return undefined;
}

const PROVIDER_CREDENTIALS = {
  klarna: ['KLARNA_USERNAME', 'KLARNA_PASSWORD'],
  adyen: ['ADYEN_API_KEY', 'ADYEN_MERCHANT_ACCOUNT'],
  vipps_mobilepay: ['VIPPS_CLIENT_ID', 'VIPPS_CLIENT_SECRET', 'VIPPS_SUBSCRIPTION_KEY', 'VIPPS_MERCHANT_SERIAL_NUMBER'],
} as const satisfies Record<string, readonly (keyof Config)[]>;

/** Settings of the payment providers configured here (each only with its credentials). */
export function paymentSettings(config: Config): PaymentSettings {
  const c = config;
  return {
    ...(c.STRIPE_API_KEY ? { stripe: { apiKey: c.STRIPE_API_KEY, apiUrl: c.STRIPE_API_URL } } : {}),
    ...(c.KLARNA_USERNAME && c.KLARNA_PASSWORD
      ? { klarna: { username: c.KLARNA_USERNAME, password: c.KLARNA_PASSWORD, apiUrl: c.KLARNA_API_URL } }
      : {}),
    ...(c.ADYEN_API_KEY && c.ADYEN_MERCHANT_ACCOUNT
      ? {
          adyen: {
            apiKey: c.ADYEN_API_KEY,
            merchantAccount: c.ADYEN_MERCHANT_ACCOUNT,
            checkoutUrl: c.ADYEN_CHECKOUT_URL,
          },
        }
      : {}),
    ...(c.VIPPS_CLIENT_ID && c.VIPPS_CLIENT_SECRET && c.VIPPS_SUBSCRIPTION_KEY && c.VIPPS_MERCHANT_SERIAL_NUMBER
      ? {
          vipps_mobilepay: {
            clientId: c.VIPPS_CLIENT_ID,
            clientSecret: c.VIPPS_CLIENT_SECRET,
            subscriptionKey: c.VIPPS_SUBSCRIPTION_KEY,
            merchantSerialNumber: c.VIPPS_MERCHANT_SERIAL_NUMBER,
            apiUrl: c.VIPPS_API_URL,
          },
        }
      : {}),
  };
}

/** Secrets of the payment providers' notifications (`PAYMENT_WEBHOOK_SECRET_<PROVIDER>`), read like the carriers'. */
export function paymentWebhookSecret(provider: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[`PAYMENT_WEBHOOK_SECRET_${provider.toUpperCase()}`]?.trim();
  return v ? v : undefined;
}

/** The case worker's options from WORKER_* (runtime/worker.ts passes them to Temporal's Worker.create). */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  reuseV8Context: boolean;
}

/** The worker's tuning from a loaded configuration (checked by loadConfig at start with the rest). */
export function workerTuning(config: z.infer<typeof WorkerTuningSchema>): WorkerTuning {
  const c = config;
  // A workflow task runs on a cached workflow: more tasks at once than the cache holds cannot run.
  if (c.WORKER_MAX_CACHED_WORKFLOWS > 0 && c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS > c.WORKER_MAX_CACHED_WORKFLOWS) {
    throw invalid([
      {
        path: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'],
        message: `must not exceed WORKER_MAX_CACHED_WORKFLOWS (${c.WORKER_MAX_CACHED_WORKFLOWS}) unless that is 0`,
      },
    ]);
  }
  return {
    maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: c.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: c.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    reuseV8Context: c.WORKER_REUSE_V8_CONTEXT,
  };
}

/** The same from the environment alone: for a worker built without a loaded configuration (tests, the bench's baseline). */
export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const parsed = WorkerTuningSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return workerTuning(parsed.data);
}

/** The API's rate limits (api/limits.ts). */
export function limitSettings(config: Config): LimitSettings {
  return {
    perKeyPerMinute: config.RATE_LIMIT_PER_KEY_PER_MINUTE,
    perIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE,
    webhooksPerMinute: config.RATE_LIMIT_WEBHOOKS_PER_MINUTE,
    failedAuthPerMinute: config.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
  };
}

export function brand(config: Config): Brand {
  return {
    shopName: config.SHOP_NAME,
    mailFrom: config.MAIL_FROM,
    replyTo: config.MAIL_REPLY_TO,
    logoUrl: config.SHOP_LOGO_URL,
    color: config.SHOP_BRAND_COLOR,
    templatesDir: config.EMAIL_TEMPLATES_DIR,
  };
}

/** The secret customer links are signed with; in dev mode one derived from the data directory (one process). */
export function linkSecret(config: Config): string {
  return config.LINK_SECRET ?? `dev-link-secret:${config.ADMIN_API_KEY ?? ''}:${config.DATA_DIR}`;
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
  const lines = config.WAREHOUSE_ADDRESS.split('|')
    .map((l) => l.trim())
    .filter(Boolean);
  return { name: config.WAREHOUSE_NAME, lines, country: config.WAREHOUSE_COUNTRY };
}
