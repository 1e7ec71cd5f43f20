import { OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Brand } from '../activities/deps.js';
import type { HostResolver } from '../activities/webhook-targets.js';
import type { Db } from '../db/client.js';
import type { Address } from '../documents/label-pdf.js';
import type { PaymentProviders } from '../payments/index.js';
import type { AuthEnv } from './auth.js';
import type { LimitSettings } from './limits.js';
import { fieldPath, problem, zodFieldErrors } from './problem.js';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  adminApiKey: string;
  /** How long POST /v1/returns and POST /v1/scans wait for the workflow's first step to show. */
  settleWaitMs?: number;
  /**
   * Carrier webhook secrets by env name (`CARRIER_WEBHOOK_SECRET_EASYPOST`) or carrier (`easypost`);
   * default: process.env, read at request time.
   */
  carrierSecrets?: Record<string, string | undefined>;
  /**
   * Payment notification secrets by env name (`PAYMENT_WEBHOOK_SECRET_STRIPE`) or provider
   * (`stripe`); default: process.env, read at request time.
   */
  paymentSecrets?: Record<string, string | undefined>;
  /** The payment adapters that verify and parse notifications; default: ones built without API settings. */
  payments?: PaymentProviders;
  /** Where return parcels go (labels, customs); default DEFAULT_WAREHOUSE. */
  warehouse?: Address;
  /** Rate limits (api/limits.ts); default DEFAULT_LIMITS. Tests set small ones in their own app. */
  limits?: Partial<LimitSettings>;
  /** Webhook endpoints may be loopback, private or internal (WEBHOOK_ALLOW_PRIVATE_TARGETS); default false. */
  allowPrivateWebhookTargets?: boolean;
  /** Resolves webhook endpoint host names when they are checked; default: the system resolver. */
  resolveWebhookHost?: HostResolver;
  /**
   * Signs and verifies customer links (portal sessions, unsubscribe); the worker signs e-mail links
   * with the same LINK_SECRET. Default: a random secret of this process (its own tokens only).
   */
  linkSecret?: string;
  /** The shop's branding on pages customers open (the unsubscribe page) and e-mail previews; default: "Returns". */
  brand?: Brand;
  /** What /readyz checks: each resolves when its dependency answers. */
  readiness: { database: () => Promise<void>; temporal: () => Promise<void> };
}

/** A router whose request validation answers with problem+json naming each bad field. */
export function newRouter() {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      const where =
        result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : (result.target as 'query' | 'header');
      const status = where === 'body' ? 422 : 400;
      if (result.success) {
        // PostgreSQL text and jsonb cannot hold U+0000: refuse it here, naming the field, not as a 500 later.
        const path = nulPath(result.data);
        if (!path) return;
        const field = fieldPath(path) || (where === 'body' ? '(body)' : `(${where})`);
        return problem(
          c,
          status,
          `invalid ${where}: ${field}`,
          [{ field, detail: 'must not contain the NUL character (U+0000)', in: where }],
          'validation',
        );
      }
      const errors = zodFieldErrors(result.error, where);
      return problem(c, status, `invalid ${where}: ${errors.map((e) => e.field).join(', ')}`, errors, 'validation');
    },
  });
}

export const bearer = [{ bearer: [] }];

/** The path to the first string (value or key) holding U+0000, if any. */
function nulPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = key.includes('\u0000') ? [...path, key] : nulPath(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
