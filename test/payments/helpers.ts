/** What the adapter tests share: the lookup for a refund asked before, and a loopback webhook receiver. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InvalidSignature,
  type RefundLookup,
  type RefundNotification,
  type RefundRequest,
} from '../../payments/provider.js';

/** The lookup of `req` after its answer was lost (or, with `providerReference`, after it got through). */
export const lookupOf = (req: RefundRequest, providerReference: string | null = null): RefundLookup => ({
  idempotencyKey: req.idempotencyKey,
  paymentReference: req.paymentReference,
  providerReference,
  refundId: req.refundId,
  amount: req.amount,
  currency: req.currency,
});

export interface Receiver {
  /** Where the provider (stand-in) delivers: `http://127.0.0.1:<port><path>`. */
  url: string;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 at a free port; `handle` gets every delivery once its body is in. */
export async function startReceiver(
  path: string,
  handle: (rawBody: string, req: IncomingMessage, res: ServerResponse) => void,
): Promise<Receiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(Buffer.concat(chunks).toString('utf8'), req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A webhook route in small: `parse` verifies and parses each delivery into `got`; 200 (with `ok`'s
 * headers and body) when it parses, 401 for InvalidSignature, 500 for anything else.
 */
export async function startNotificationReceiver(
  path: string,
  parse: (rawBody: string, req: IncomingMessage) => RefundNotification[],
  ok: { headers?: Record<string, string>; body?: string } = {},
): Promise<Receiver & { got: RefundNotification[] }> {
  const got: RefundNotification[] = [];
  const receiver = await startReceiver(path, (rawBody, req, res) => {
    try {
      got.push(...parse(rawBody, req));
      res.writeHead(200, ok.headers).end(ok.body);
    } catch (err) {
      res.writeHead(err instanceof InvalidSignature ? 401 : 500).end();
    }
  });
  return { ...receiver, got };
}
