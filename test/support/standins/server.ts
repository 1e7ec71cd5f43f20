/**
 * What the provider stand-ins share: a loopback HTTP server on a free port that hands each request
 * over with its whole body, answers now or later (after the work is done: the lost answer), and
 * closes cleanly with its timers; the providers' idempotency replay; and, for the stand-ins that
 * record requests as {@link RecordedRequest} (Klarna, Vipps MobilePay), the recording and the
 * `failNext` / `answerLate` switches. What a provider answers, and how it words its errors, stays
 * in its own stand-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer as it goes on the wire. */
export interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class StandInServer {
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 at a free port; `handle` gets every request once its body is in. */
  static async start(
    handle: (req: IncomingMessage, rawBody: string, res: ServerResponse) => void,
  ): Promise<StandInServer> {
    const server = createServer((req, res) => {
      res.on('error', () => {});
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new StandInServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  /** Runs `fn` after `ms`, unless the stand-in is closed first. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes the answer; false (nothing written) when the client is gone (it gave up waiting). */
export function sendAnswer(res: ServerResponse, answer: WireAnswer): boolean {
  if (res.destroyed || res.writableEnded || res.req.socket.destroyed) return false;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
  return true;
}

/** Like the providers: a request with a key seen before gets the first answer again, and nothing is done twice. */
export class IdempotencyStore<A> {
  private readonly answers = new Map<string, A>();

  /** No key: `make()`, kept nowhere. A key seen before: `replay(first answer)`. Else `make()`, kept under the key. */
  answer<R = A>(key: string | undefined, make: () => A, replay: (stored: A) => R): A | R {
    if (!key) return make();
    const stored = this.answers.get(key);
    if (stored !== undefined) return replay(stored);
    const made = make();
    this.answers.set(key, made);
    return made;
  }
}

/** Picks the requests a failure applies to, e.g. `(r) => r.path.endsWith('/refund')`. */
export type RequestFilter = (request: { method: string; path: string }) => boolean;

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** The parsed body, when it was JSON. */
  json?: unknown;
  /** What the stand-in did with it. */
  handling: 'answered' | 'replayed' | 'failed-on-demand' | 'answered-late';
}

/** The HTTP side of a stand-in that records {@link RecordedRequest}s. */
export interface RecordingServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The next `count` requests (those `only` picks; default all) answer `status` (default 500) without doing anything. */
  failNext(count: number, status?: number, only?: RequestFilter): void;
  /** The next `count` requests (those `only` picks) are carried out at once but answered only after `delayMs`. */
  answerLate(delayMs: number, count?: number, only?: RequestFilter): void;
  /** Runs `fn` after `ms`, unless the stand-in is closed first. */
  later(ms: number, fn: () => void): void;
  close(): Promise<void>;
}

/**
 * Starts a recording stand-in: every request is recorded, then failed on demand before anything
 * is done (`failure(status)` is the provider's error of that status), else answered by `route`
 * (which may mark the record `replayed`), now or — when told — late.
 */
export async function startRecordingServer(handlers: {
  route: (req: IncomingMessage, record: RecordedRequest) => WireAnswer;
  failure: (status: number) => WireAnswer;
}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  let failures: { count: number; status: number; only?: RequestFilter } = { count: 0, status: 500 };
  let late: { count: number; delayMs: number; only?: RequestFilter } = { count: 0, delayMs: 0 };

  const http = await StandInServer.start((req, body, res) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      parsed = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body,
      ...(parsed !== undefined ? { json: parsed } : {}),
      handling: 'answered',
    };
    requests.push(record);

    if (failures.count > 0 && (!failures.only || failures.only(record))) {
      failures.count -= 1;
      record.handling = 'failed-on-demand';
      sendAnswer(res, handlers.failure(failures.status));
      return;
    }
    const answer = handlers.route(req, record);
    if (late.count > 0 && (!late.only || late.only(record))) {
      late.count -= 1;
      if (record.handling === 'answered') record.handling = 'answered-late';
      http.later(late.delayMs, () => sendAnswer(res, answer));
      return;
    }
    sendAnswer(res, answer);
  });

  return {
    url: http.url,
    requests,
    failNext(count, status = 500, only) {
      failures = { count, status, ...(only ? { only } : {}) };
    },
    answerLate(delayMs, count = 1, only) {
      late = { count, delayMs, ...(only ? { only } : {}) };
    },
    later: (ms, fn) => http.later(ms, fn),
    close: () => http.close(),
  };
}
