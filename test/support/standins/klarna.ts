/**
 * A local stand-in for Klarna's Order Management API on 127.0.0.1, answering with the documented
 * shapes: HTTP Basic; `POST /ordermanagement/v1/orders/{id}/refunds` → `201` with `Location` and
 * `Refund-Id` (empty body); `GET /ordermanagement/v1/orders/{id}` with `refunds[]`;
 * `GET …/refunds/{refund_id}`; errors as `{error_code, error_messages[], correlation_id}`.
 *
 * Like Klarna, a `Klarna-Idempotency-Key` seen before gets the first answer again (only the key
 * matters, not the body) and makes no second refund. On demand it fails the next requests with 5xx
 * (before doing anything), answers later than a client waits (after having made the refund: the
 * lost answer), and refuses for good the way Klarna does (order expired or cancelled, nothing
 * captured, more than is left to refund). Every request is recorded.
 *
 *   const klarna = await startKlarnaStandIn();
 *   klarna.addOrder({ orderId: 'ord-1', currency: 'SEK', capturedAmount: 49_900 });
 *   klarnaProvider({ ...klarna.settings, timeoutMs: 500 })
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  IdempotencyStore,
  startRecordingServer,
  type RecordedRequest,
  type RequestFilter,
  type WireAnswer,
} from './server.js';

export type { RecordedRequest, RequestFilter } from './server.js';

export type KlarnaOrderStatus = 'AUTHORIZED' | 'PART_CAPTURED' | 'CAPTURED' | 'CANCELLED' | 'EXPIRED' | 'CLOSED';

export interface KlarnaStandInRefund {
  refund_id: string;
  refunded_amount: number;
  refunded_at: string;
  reference?: string;
  description?: string;
  /** Not part of Klarna's answer: the key the refund was made with. */
  idempotencyKey?: string;
}

export interface KlarnaStandInOrder {
  orderId: string;
  currency: string;
  capturedAmount: number;
  /** Defaults to the captured amount. */
  orderAmount?: number;
  status?: KlarnaOrderStatus;
}

export interface KlarnaStandIn {
  readonly url: string;
  /** Ready for `klarnaProvider({...settings})`. */
  readonly settings: { username: string; password: string; apiUrl: string };
  readonly requests: RecordedRequest[];
  addOrder(order: KlarnaStandInOrder): void;
  setOrderStatus(orderId: string, status: KlarnaOrderStatus): void;
  /** Refunds actually made (one per idempotency key), of one order or all. */
  refunds(orderId?: string): KlarnaStandInRefund[];
  /** The next `count` requests (those `only` picks; default all) answer `status` (default 500) without doing anything. */
  failNext(count: number, status?: number, only?: RequestFilter): void;
  /** The next `count` requests (those `only` picks) are carried out at once but answered only after `delayMs`. */
  answerLate(delayMs: number, count?: number, only?: RequestFilter): void;
  close(): Promise<void>;
}

interface OrderState {
  orderId: string;
  currency: string;
  orderAmount: number;
  capturedAmount: number;
  status: KlarnaOrderStatus;
  refunds: KlarnaStandInRefund[];
  createdAt: string;
}

export async function startKlarnaStandIn(
  options: { username?: string; password?: string } = {},
): Promise<KlarnaStandIn> {
  const username = options.username ?? 'PK12345_standin';
  const password = options.password ?? 'standin-password';
  const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const orders = new Map<string, OrderState>();
  const idempotent = new IdempotencyStore<WireAnswer>();

  const error = (status: number, code: string, message: string): WireAnswer => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error_code: code, error_messages: [message], correlation_id: randomUUID() }),
  });
  const json = (status: number, body: unknown): WireAnswer => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  const orderView = (o: OrderState) => {
    const refunded = o.refunds.reduce((sum, r) => sum + r.refunded_amount, 0);
    return {
      order_id: o.orderId,
      status: o.status,
      purchase_currency: o.currency,
      order_amount: o.orderAmount,
      original_order_amount: o.orderAmount,
      captured_amount: o.capturedAmount,
      refunded_amount: refunded,
      remaining_authorized_amount: Math.max(0, o.orderAmount - o.capturedAmount),
      created_at: o.createdAt,
      refunds: o.refunds.map(refundView),
    };
  };
  const refundView = (r: KlarnaStandInRefund) => ({
    refund_id: r.refund_id,
    refunded_amount: r.refunded_amount,
    refunded_at: r.refunded_at,
    ...(r.reference !== undefined ? { reference: r.reference } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    order_lines: [],
  });

  function createRefund(orderId: string, body: string, key: string | undefined): WireAnswer {
    const order = orders.get(orderId);
    if (!order) return error(404, 'NO_SUCH_ORDER', `Order ${orderId} cannot be found`);
    let input: { refunded_amount?: unknown; reference?: unknown; description?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return error(400, 'BAD_VALUE', 'Request body is not valid JSON');
    }
    const amount = input.refunded_amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0 || amount > 200_000_000) {
      return error(400, 'BAD_VALUE', 'refunded_amount must be an integer between 0 and 200000000');
    }
    if (order.status === 'EXPIRED' || order.status === 'CANCELLED') {
      return error(403, 'REFUND_NOT_ALLOWED', `Order ${orderId} is ${order.status.toLowerCase()}. Refund not possible`);
    }
    if (order.capturedAmount === 0)
      return error(403, 'REFUND_NOT_ALLOWED', 'Order has no captures. Refund not possible');
    const refunded = order.refunds.reduce((sum, r) => sum + r.refunded_amount, 0);
    if (amount > order.capturedAmount - refunded) {
      return error(
        403,
        'REFUND_NOT_ALLOWED',
        `Refunded amount ${amount} exceeds the captured amount not yet refunded (${order.capturedAmount - refunded}). Refund not possible`,
      );
    }
    const refund: KlarnaStandInRefund = {
      refund_id: randomUUID(),
      refunded_amount: amount,
      refunded_at: new Date().toISOString(),
      ...(typeof input.reference === 'string' ? { reference: input.reference } : {}),
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      ...(key ? { idempotencyKey: key } : {}),
    };
    order.refunds.push(refund);
    return {
      status: 201,
      headers: {
        location: `${server.url}/ordermanagement/v1/orders/${encodeURIComponent(orderId)}/refunds/${refund.refund_id}`,
        'refund-id': refund.refund_id,
      },
      body: '',
    };
  }

  function route(req: IncomingMessage, record: RecordedRequest): WireAnswer {
    const { path, body } = record;
    if (req.headers.authorization !== expectedAuth) return error(401, 'UNAUTHORIZED', 'Bad credentials');
    const match = /^\/ordermanagement\/v1\/orders\/([^/?]+)(?:\/refunds(?:\/([^/?]+))?)?$/.exec(path.split('?')[0]!);
    if (!match) return error(404, 'NOT_FOUND', `No such resource ${path}`);
    const orderId = decodeURIComponent(match[1]!);
    const isRefunds = path.includes('/refunds');
    if (req.method === 'POST' && isRefunds && !match[2]) {
      const key = req.headers['klarna-idempotency-key'] as string | undefined;
      return idempotent.answer(
        key,
        () => createRefund(orderId, body, key),
        (stored) => {
          record.handling = 'replayed';
          return stored;
        },
      );
    }
    if (req.method === 'GET') {
      const order = orders.get(orderId);
      if (!order) return error(404, 'NO_SUCH_ORDER', `Order ${orderId} cannot be found`);
      if (!isRefunds) return json(200, orderView(order));
      const refund = match[2] ? order.refunds.find((r) => r.refund_id === decodeURIComponent(match[2]!)) : undefined;
      if (!refund) return error(404, 'NOT_FOUND', `Refund ${match[2] ?? ''} cannot be found for order ${orderId}`);
      return json(200, refundView(refund));
    }
    return error(405, 'NOT_ALLOWED', `${req.method} not allowed`);
  }

  const server = await startRecordingServer({
    route,
    failure: (status) =>
      status >= 500
        ? error(status, status === 500 ? 'INTERNAL_SERVER_ERROR' : 'TEMPORARILY_UNAVAILABLE', 'Unexpected server error')
        : error(status, 'TOO_MANY_REQUESTS', 'Too many requests'),
  });
  const url = server.url;

  return {
    url,
    settings: { username, password, apiUrl: url },
    requests: server.requests,
    addOrder(order) {
      orders.set(order.orderId, {
        orderId: order.orderId,
        currency: order.currency,
        orderAmount: order.orderAmount ?? order.capturedAmount,
        capturedAmount: order.capturedAmount,
        status: order.status ?? (order.capturedAmount > 0 ? 'CAPTURED' : 'AUTHORIZED'),
        refunds: [],
        createdAt: new Date().toISOString(),
      });
    },
    setOrderStatus(orderId, status) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId} in the Klarna stand-in`);
      order.status = status;
    },
    refunds(orderId) {
      const list = orderId ? (orders.get(orderId)?.refunds ?? []) : [...orders.values()].flatMap((o) => o.refunds);
      return list.map((r) => ({ ...r }));
    },
    failNext: server.failNext,
    answerLate: server.answerLate,
    close: server.close,
  };
}
