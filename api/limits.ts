/**
 * Abuse limits (shared/API.md "Limits (all routes)"): a request body above 1 MiB → 413; rate limits
 * → 429 with `Retry-After`; a method a path does not declare → 405 with `Allow`.
 *
 * Rate limits are in memory and per process (fixed one-minute windows): N processes behind a load
 * balancer allow up to N times the configured rate. Counted separately:
 * - failed authentications (missing, wrong or revoked key) per client IP — once over, every
 *   request to an authenticated route from that IP is refused until the window ends, so a key
 *   cannot be guessed quickly;
 * - requests per API key (authenticated routes);
 * - requests per client IP to the unauthenticated routes (health, metrics, docs, /openapi.json);
 * - requests per client IP to the carrier and payment webhooks (their own, higher limit).
 * The client IP is the socket's peer address; `X-Forwarded-For` (its first entry) only when the
 * operator says a proxy in front sets it (`TRUST_PROXY=1`).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuthEnv } from './auth.js';
import { problem } from './problem.js';

/** shared/API.md "Limits": a body above 1 MiB → 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface LimitSettings {
  /** Requests per minute per API key (authenticated routes). */
  perKeyPerMinute: number;
  /** Requests per minute per client IP to the unauthenticated routes. */
  perIpPerMinute: number;
  /** Requests per minute per client IP to the carrier and payment webhooks. */
  webhooksPerMinute: number;
  /** Failed authentications per minute per client IP before authenticated routes answer 429. */
  failedAuthPerMinute: number;
  /** Take the client IP from `X-Forwarded-For` (set only behind a proxy that sets it). */
  trustProxy: boolean;
}

export const DEFAULT_LIMITS: LimitSettings = {
  perKeyPerMinute: 600,
  perIpPerMinute: 600,
  webhooksPerMinute: 3000,
  failedAuthPerMinute: 20,
  trustProxy: false,
};

const WINDOW_MS = 60_000;

const FAILED_AUTHENTICATION = 'failedAuthentication';

/** Counts this request towards the failed-authentication limit of its client IP, whatever it answers. */
export function countAsFailedAuthentication(c: Context): void {
  c.set(FAILED_AUTHENTICATION, true);
}

/** Fixed-window counters by key; stale windows are swept once a window. */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs = WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key`'s window ends if it is at its limit, else undefined. */
  blocked(key: string): number | undefined {
    const w = this.current(key);
    return w && w.count >= this.limit ? this.retryAfter(w.start) : undefined;
  }

  /** Counts one for `key`; seconds to wait if that went over the limit, else undefined. */
  hit(key: string): number | undefined {
    const now = this.now();
    this.sweep(now);
    let w = this.current(key);
    if (!w) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? this.retryAfter(w.start) : undefined;
  }

  private current(key: string) {
    const w = this.windows.get(key);
    return w && this.now() - w.start < this.windowMs ? w : undefined;
  }

  private retryAfter(start: number): number {
    return Math.max(1, Math.ceil((start + this.windowMs - this.now()) / 1000));
  }

  private sweep(now: number) {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}

/** The socket's peer address (`X-Forwarded-For` only with trustProxy); `unknown` without a socket (app.request in tests). */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (first) return first;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function tooMany(c: Context, retryAfter: number, detail: string): Response {
  const res = problem(c, 429, `${detail}; retry after ${retryAfter} s`);
  res.headers.set('retry-after', String(retryAfter));
  return res;
}

/** 413 problem+json for every body above MAX_BODY_BYTES, whatever the route (webhooks included). */
export const limitBody = (): MiddlewareHandler =>
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problem(c, 413, `the request body may be at most ${MAX_BODY_BYTES} bytes (1 MiB)`),
  });

export const isWebhookPath = (path: string) =>
  path.startsWith('/v1/webhooks/carriers/') || path.startsWith('/v1/webhooks/payments/');

/**
 * The rate limits of one app instance: `byIp` goes before everything (webhooks and the
 * unauthenticated routes), `failedAuth` before authentication, wherever that is mounted (it counts
 * the 401s of `/v1/` requests that ended without a principal), `byKey` after it (requests with a
 * principal).
 */
export function rateLimits(settings: Partial<LimitSettings> = {}) {
  const s: LimitSettings = { ...DEFAULT_LIMITS, ...settings };
  const webhooks = new WindowCounter(s.webhooksPerMinute);
  const anonymous = new WindowCounter(s.perIpPerMinute);
  const failures = new WindowCounter(s.failedAuthPerMinute);
  const keys = new WindowCounter(s.perKeyPerMinute);

  const byIp: MiddlewareHandler = async (c, next) => {
    const path = c.req.path;
    const webhook = isWebhookPath(path);
    // Authenticated routes are counted per key (and per IP only for failed authentications).
    if (!webhook && path.startsWith('/v1/')) return next();
    const wait = (webhook ? webhooks : anonymous).hit(clientIp(c, s.trustProxy));
    if (wait !== undefined)
      return tooMany(c, wait, webhook ? 'too many webhook deliveries from this address' : 'too many requests');
    return next();
  };

  const failedAuth: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const path = c.req.path;
    if (!path.startsWith('/v1/') || isWebhookPath(path)) return next();
    const ip = clientIp(c, s.trustProxy);
    const blocked = failures.blocked(ip);
    if (blocked !== undefined) return tooMany(c, blocked, 'too many failed authentications from this address');
    await next();
    // Authentication refused it (no principal): missing, wrong or revoked key; or a route said so
    // (a portal sign-in with a wrong order number or e-mail).
    if ((c.res.status === 401 && !c.get('principal')) || (c as Context).get(FAILED_AUTHENTICATION)) failures.hit(ip);
  };

  const byKey: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const principal = c.get('principal') as AuthEnv['Variables']['principal'] | undefined;
    if (!principal) return next(); // a public operation
    const wait = keys.hit(principal.keyId);
    if (wait !== undefined) return tooMany(c, wait, 'too many requests with this API key');
    return next();
  };

  return { settings: s, byIp, failedAuth, byKey };
}

/** `/v1/returns/:id` (Hono) or `/v1/returns/{id}` (OpenAPI) → a matcher of concrete paths. */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) =>
      seg === '*'
        ? '.*'
        : /^(:[^/{]+(\{[^}]*\})?\??|\{[^}]+\})$/.test(seg)
          ? '[^/]+'
          : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * 405 with `Allow` for a method a known path does not serve; unknown paths fall through (404).
 * `routes` is read on the first request, once every route is mounted (Hono's route table: only
 * real handlers, not middleware).
 */
export function methodNotAllowed(routes: () => readonly { method: string; path: string }[]): MiddlewareHandler {
  let table: { pattern: RegExp; methods: Set<string> }[] | undefined;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const r of routes()) {
      if (r.method === 'ALL' || r.path.endsWith('*')) continue;
      const methods = byPath.get(r.path) ?? new Set<string>();
      methods.add(r.method.toUpperCase());
      byPath.set(r.path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
  };
  return async (c, next) => {
    table ??= build();
    const path = c.req.path;
    const matching = table.filter((t) => t.pattern.test(path));
    if (matching.length === 0) return next();
    const allowed = new Set(matching.flatMap((t) => [...t.methods]));
    if (allowed.has('GET')) allowed.add('HEAD');
    const method = c.req.method.toUpperCase();
    if (allowed.has(method)) return next();
    const allow = [...allowed].sort().join(', ');
    const res = problem(c, 405, `${method} is not allowed on ${path}; allowed: ${allow}`);
    res.headers.set('allow', allow);
    return res;
  };
}
