/**
 * PostNord end to end: a market whose policy names `postnord` gets S10 item ids from the shop's
 * range, the case polls a local stand-in for PostNord's track-and-trace API from a workflow timer,
 * and its events move the case to in_transit and then received. Also: a carrier event for a tracking
 * number no case has yet is kept and told to the case when the label appears.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isS10ItemId, s10ItemId, type PostNordSettings } from '../../carriers/index.js';
import { carrierEvents, labelNumberSeries } from '../../db/schema.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { eventOf, returnRequest, startReturn, withLabel } from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

const GENERIC_KEY = randomBytes(24);
process.env.CARRIER_WEBHOOK_SECRET_GENERIC ??= `whsec_${GENERIC_KEY.toString('base64')}`;
const genericKey = () => Buffer.from(process.env.CARRIER_WEBHOOK_SECRET_GENERIC!.slice('whsec_'.length), 'base64');

const API_KEY = `pn-${randomBytes(8).toString('hex')}`;
// This file's own market: tests share one database, and SE, DK and NO must keep the default policy.
const MARKET = 'LV';

/** What the stand-in answers per tracking number: events, or an HTTP status for an outage. */
const answers = new Map<string, { status: number } | { events: object[] }>();
const requests: URL[] = [];
let server: Server;
let settings: PostNordSettings;
let stack: Stack;

const pnEvent = (eventTime: string, status: string, eventCode: string, place: string) => ({
  eventTime,
  eventCode,
  eventDescription: `${status} at ${place}`,
  status,
  location: { displayName: place, countryCode: 'SE' },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const answer =
      url.searchParams.get('apikey') === API_KEY ? answers.get(url.searchParams.get('id') ?? '') : { status: 403 };
    if (!answer) {
      res.writeHead(404).end();
    } else if ('status' in answer) {
      res.writeHead(answer.status).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ TrackingInformationResponse: { shipments: [{ items: [{ events: answer.events }] }] } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  settings = {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey: API_KEY,
    pollEvery: 'PT1S',
    itemPrefix: 'UX',
    itemCountry: 'SE',
    serialFrom: 40_000_000,
    serialTo: 49_999_999,
  };
  stack = await startStack({ worker: false });
  await stack.startWorker({ carriers: { postnord: settings } });
  // A short parcel deadline: the workflow polls at most 1000 times per case, so with P30D it would stretch PT1S to 43 min.
  const policy = await stack.call('PUT', `/v1/policies/${MARKET}`, {
    ...DEFAULT_POLICY,
    market: undefined,
    parcelDeadline: 'PT10M',
    labelReminderAfter: 'PT5M',
    labelCarrier: 'postnord',
  });
  expect(policy.status).toBe(200);
});
afterAll(async () => {
  await stack?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function startCase() {
  const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
  return withLabel(await startReturn(stack, returnRequest({ orderId, channel: 'portal', reason: 'wrong size' })));
}

const asked = (tn: string) => requests.filter((u) => u.searchParams.get('id') === tn).length;
const until = async (done: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('PostNord labels and polled tracking', () => {
  it('issues an S10 item id from the range and polls until the parcel is delivered; an outage only delays it', async () => {
    const c = await startCase();
    const tn = c.label.trackingNumber;
    expect(c.label.carrier).toBe('postnord');
    expect(isS10ItemId(tn)).toBe(true);
    expect(tn).toMatch(/^UX4\d{8}SE$/);

    // PostNord is down at first: the case keeps waiting and asks again next round.
    answers.set(tn, { status: 503 });
    await until(() => asked(tn) >= 2);
    expect((await stack.call('GET', `/v1/returns/${c.id}`)).body.status).toBe('awaiting_parcel');

    const informed = pnEvent('2026-11-20T08:00:00', 'INFORMED', 'EDI_RECEIVED', 'PostNord');
    const enRoute = pnEvent('2026-11-20T16:30:00', 'EN_ROUTE', 'ITEM_RECEIVED', 'Ombud ICA Malmö');
    answers.set(tn, { events: [informed, enRoute] });
    const moving = await waitForCase(stack, c.id, (v) => v.status === 'in_transit');
    expect(eventOf(moving, 'parcel.in_transit').detail).toMatchObject({
      carrier: 'postnord',
      status: 'EN_ROUTE',
      location: 'Ombud ICA Malmö',
    });

    const delivered = pnEvent('2026-11-21T10:05:00', 'DELIVERED', 'DELIVERED', 'Returns warehouse');
    answers.set(tn, { events: [informed, enRoute, delivered] });
    const received = await waitForCase(stack, c.id, (v) => v.status === 'received');
    expect(eventOf(received, 'parcel.received').detail).toMatchObject({
      trackingNumber: tn,
      scannedBy: 'carrier:postnord',
    });

    // Each event is in the inbox once, however often it was polled; the API key went as a query parameter.
    const stored = await stack.db.select().from(carrierEvents).where(eq(carrierEvents.trackingNumber, tn));
    expect(stored.map((e) => e.status).sort()).toEqual(['DELIVERED', 'EN_ROUTE', 'INFORMED']);
    expect(stored.every((e) => e.carrier === 'postnord' && e.caseId === c.id)).toBe(true);
    expect(
      stored
        .filter((e) => e.appliedAt !== null)
        .map((e) => e.mapped)
        .sort(),
    ).toEqual(['delivered', 'in_transit']);

    // Received: the polling stops.
    const after = asked(tn);
    await new Promise((r) => setTimeout(r, 2500));
    expect(asked(tn)).toBe(after);
  });

  it('keeps an event for a tracking number no case has yet, and tells the case when its label appears', async () => {
    // The next item id of the range is predictable: nothing else in the suite issues PostNord labels.
    const [series] = await stack.db
      .select()
      .from(labelNumberSeries)
      .where(eq(labelNumberSeries.series, `postnord:UX${settings.serialFrom}`));
    const next = s10ItemId('UX', settings.serialFrom + (series?.issued ?? 0), 'SE');

    const raw = JSON.stringify({
      type: 'tracking.updated',
      data: {
        trackingNumber: next,
        status: 'in_transit',
        occurredAt: new Date().toISOString(),
        location: 'Terminal Helsingborg',
      },
    });
    const id = uid('msg');
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v1,${createHmac('sha256', genericKey()).update(`${id}.${ts}.${raw}`).digest('base64')}`;
    const res = await stack.app.request('/v1/webhooks/carriers/generic', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': signature,
      },
      body: raw,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ trackingNumber: next, caseId: null, applied: false, stored: true });

    const c = await startCase();
    expect(c.label.trackingNumber).toBe(next);
    const moving = await waitForCase(stack, c.id, (v) => v.status === 'in_transit');
    expect(eventOf(moving, 'parcel.in_transit').detail).toMatchObject({
      carrier: 'generic',
      location: 'Terminal Helsingborg',
    });
    const [kept] = await stack.db.select().from(carrierEvents).where(eq(carrierEvents.eventId, id));
    expect(kept).toMatchObject({ caseId: c.id, mapped: 'in_transit' });
    expect(kept!.appliedAt).not.toBeNull();
  });

  it('refuses an unknown label carrier in a policy, naming the field', async () => {
    const res = await stack.call('PUT', `/v1/policies/${MARKET}`, {
      ...DEFAULT_POLICY,
      market: undefined,
      labelCarrier: 'dhl',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toContain('labelCarrier');
  });
});
