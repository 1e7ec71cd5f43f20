/**
 * The scripts' HTTP client of the service (bench, chaos): JSON in and out, the admin key (but on
 * webhook deliveries, which carry their own signature), spread over the API processes, and calls
 * retried through network errors, 429 and 5xx the way the caller's `Retry` says.
 */
import { sleep } from './processes.js';

export interface Res {
  status: number;
  body: any;
  /** The answer's Retry-After header, if any. */
  retryAfter: string | null;
}

/**
 * How one call retries. Made per call; then told each transient failure (a 5xx or 429 answer, or
 * undefined after a network error), it waits and resolves true to try again, or false to give up:
 * the call answers that answer or throws that error. It may throw to end the call.
 */
export type Retry = (method: string, path: string) => (failure: Res | undefined) => Promise<boolean>;

/** At most `attempts` tries, waiting 250 ms longer after each. */
export const retryAttempts =
  (attempts: number): Retry =>
  () => {
    let attempt = 0;
    return async () => {
      if (++attempt >= attempts) return false;
      await sleep(250 * attempt);
      return true;
    };
  };

/** Until `deadline` (epoch ms), whatever the fault, backing off to 3 s and at least a 429's Retry-After. */
export const retryUntil =
  (deadline: number): Retry =>
  (method, path) => {
    const inTime = () => {
      if (Date.now() > deadline) throw new Error(`deadline passed: ${method} ${path}`);
    };
    inTime();
    let wait = 250;
    return async (failure) => {
      if (failure?.status === 429 && failure.retryAfter)
        wait = Math.max(wait, Number(failure.retryAfter) * 1000 || wait);
      await sleep(wait + Math.random() * 250);
      wait = Math.min(wait * 2, 3000);
      inTime();
      return true;
    };
  };

export interface ClientOptions {
  /** The base URLs of the API processes, read at each request (processes come and go). */
  urls: () => string[];
  adminKey: string;
  /** Which process takes a request. */
  spread: 'round-robin' | 'random';
  /** Of one request. */
  timeoutMs: number;
  retry: Retry;
}

export class ServiceClient {
  private next = 0;
  constructor(private readonly options: ClientOptions) {}

  private base(): string {
    const urls = this.options.urls();
    const k = this.options.spread === 'random' ? Math.floor(Math.random() * urls.length) : this.next++ % urls.length;
    return urls[k]!;
  }

  /** One request, no retries. */
  async once(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(this.base() + path, {
      method,
      headers: {
        ...(headers['webhook-id'] ? {} : { authorization: `Bearer ${this.options.adminKey}` }),
        ...(raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: raw,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after') };
  }

  /** Retries transient failures; answers the first 2xx/3xx/4xx but 429. */
  async call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res> {
    const again = this.options.retry(method, path);
    for (;;) {
      let res: Res | undefined;
      let error: unknown;
      try {
        res = await this.once(method, path, body, headers);
        if (res.status < 500 && res.status !== 429) return res;
      } catch (err) {
        error = err;
      }
      if (!(await again(res))) {
        if (res) return res;
        throw error;
      }
    }
  }

  /** The body of a 2xx (after retries); anything else throws. */
  async ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const res = await this.call(method, path, body, headers);
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    return res.body;
  }
}
