/**
 * Outbound webhook targets: a URL is checked when an endpoint is created, and again at each delivery,
 * through the lookup the connection itself uses, so a name that turns private later (DNS rebinding)
 * is refused at the address the request would go to. No redirects, bounded time and response size.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, hostRefusal, ipVersion } from '../domain/network-address.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** All addresses of a host name (every one is checked, the connection uses one of them). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const RESOLVE_TIMEOUT_MS = 5_000;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), bounded in time. */
export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`resolving ${hostname} took over ${RESOLVE_TIMEOUT_MS} ms`), { code: 'ETIMEOUT' }),
        ),
      RESOLVE_TIMEOUT_MS,
    );
    dnsLookup(hostname, { all: true }).then(
      (addresses) => {
        clearTimeout(timer);
        resolve(addresses);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });

/** A webhook target that is not allowed (by its URL, name or resolved address). */
export class RefusedTargetError extends Error {
  override name = 'RefusedTargetError';
}

/** Why the host of a URL may not receive webhooks, looking at its name or IP literal only. */
function urlRefusal(url: URL): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  const reason = hostRefusal(url.hostname);
  return reason && `the host is ${reason}`;
}

/**
 * Why a webhook URL is refused, or undefined when every address its host resolves to is public.
 * A name that does not resolve is refused too: it cannot be shown to be public.
 */
export async function webhookUrlRefusal(
  target: string,
  resolve: HostResolver = systemResolver,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'must be an http or https URL';
  }
  const byName = urlRefusal(url);
  if (byName) return byName;
  const host = url.hostname;
  if (ipVersion(host)) return undefined;
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return `the host ${host} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  if (addresses.length === 0) return `the host ${host} does not resolve`;
  for (const a of addresses) {
    const reason = addressRefusal(a.address);
    if (reason) return `the host ${host} resolves to ${a.address}, ${reason}`;
  }
  return undefined;
}

/**
 * A `lookup` for http(s).request that resolves once, refuses the connection when any address is
 * not public, and hands the checked addresses to the socket: the check and the connection use the
 * same resolution.
 */
export function guardedLookup(resolve: HostResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const bad = all.map((a) => [a, addressRefusal(a.address)] as const).find(([, reason]) => reason);
        if (bad) {
          const err = new RefusedTargetError(`${hostname} resolves to ${bad[0].address}, ${bad[1]}`);
          return callback(Object.assign(err, { code: 'EREFUSEDTARGET' }), '', 0);
        }
        const family = typeof options.family === 'number' ? options.family : 0;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) {
          const err = Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** The operator allows private targets (WEBHOOK_ALLOW_PRIVATE_TARGETS): no address checks. */
  allowPrivate: boolean;
  resolve?: HostResolver;
  /** The whole attempt, connection to the end of the answer read. */
  timeoutMs: number;
  /** At most this much of the answer is read; the connection is closed then. */
  maxResponseBytes: number;
}

export interface PostResult {
  status: number;
  /** The answer was cut off: longer than maxResponseBytes, or still coming when the time was up. */
  truncated: boolean;
}

/**
 * POSTs once, following no redirect (a 3xx is just its status). The status decides: once it is in,
 * the body is read only up to the limits, then the connection is closed.
 */
export function postWebhook(target: string, o: PostOptions): Promise<PostResult> {
  const url = new URL(target);
  if (!o.allowPrivate) {
    const reason = urlRefusal(url);
    if (reason) return Promise.reject(new RefusedTargetError(`${target}: ${reason}`));
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new RefusedTargetError(`${target}: must be an http or https URL`));
  }
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    let status: number | undefined;
    let received = 0;
    const settle = (result: PostResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) },
        agent: false,
        // IP literals are not looked up (checked above); names resolve through the check.
        ...(o.allowPrivate ? {} : { lookup: guardedLookup(o.resolve ?? systemResolver) }),
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > o.maxResponseBytes) settle({ status: status!, truncated: true });
        });
        res.on('end', () => settle({ status: status!, truncated: false }));
        res.on('error', () => settle({ status: status!, truncated: true }));
      },
    );
    const timer = setTimeout(() => {
      if (status !== undefined) settle({ status, truncated: true });
      else settle(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { name: 'TimeoutError' }));
    }, o.timeoutMs);
    req.on('error', (err) => settle(err));
    req.end(o.body);
  });
}
