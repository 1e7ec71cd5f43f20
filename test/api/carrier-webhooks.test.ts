import { createHmac, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierEvents } from '../../db/schema.js';
import { eventOf, returnRequest, startReturn, withLabel, type LabelledCase } from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

// The app reads the secrets from the environment at request time.
const EASYPOST_SECRET = `ep-${randomBytes(16).toString('hex')}`;
const AFTERSHIP_SECRET = `as-${randomBytes(16).toString('hex')}`;
const GENERIC_KEY = randomBytes(24);
const GENERIC_SECRET = `whsec_${GENERIC_KEY.toString('base64')}`;
process.env.CARRIER_WEBHOOK_SECRET_EASYPOST = EASYPOST_SECRET;
process.env.CARRIER_WEBHOOK_SECRET_AFTERSHIP = AFTERSHIP_SECRET;
process.env.CARRIER_WEBHOOK_SECRET_GENERIC = GENERIC_SECRET;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Sent {
  status: number;
  body: any;
  headers: Headers;
}

async function post(carrier: string, raw: string, headers: Record<string, string>): Promise<Sent> {
  // No Authorization header: carrier webhooks are authenticated by their signature only.
  const res = await stack.app.request(`/v1/webhooks/carriers/${carrier}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const easypostEvent = (trackingCode: string, status: string, id = uid('evt')) =>
  JSON.stringify({
    id,
    object: 'Event',
    description: 'tracker.updated',
    mode: 'test',
    result: {
      id: uid('trk'),
      object: 'Tracker',
      tracking_code: trackingCode,
      status,
      carrier: 'USPS',
      tracking_details: [
        {
          object: 'TrackingDetail',
          status,
          message: status,
          datetime: new Date().toISOString(),
          tracking_location: { city: 'Oslo', country: 'NO' },
        },
      ],
    },
  });
const sendEasyPost = (raw: string, secret = EASYPOST_SECRET) =>
  post('easypost', raw, { 'x-hmac-signature': `hmac-sha256-hex=${hmac(secret, raw).toString('hex')}` });

const aftershipEvent = (trackingNumber: string, tag: string, o: { id?: string; ts?: number } = {}) =>
  JSON.stringify({
    event: 'tracking_update',
    event_id: o.id ?? uid('as'),
    is_tracking_first_tag: false,
    ts: o.ts ?? nowSeconds(),
    msg: {
      id: uid('t'),
      tracking_number: trackingNumber,
      slug: 'posten-norge',
      tag,
      subtag: `${tag}_001`,
      checkpoints: [
        { checkpoint_time: new Date().toISOString(), location: 'Oslo', tag, subtag: `${tag}_001`, message: tag },
      ],
    },
  });
const sendAfterShip = (raw: string, secret = AFTERSHIP_SECRET) =>
  post('aftership', raw, { 'aftership-hmac-sha256': hmac(secret, raw).toString('base64') });

const genericEvent = (trackingNumber: string, status: string) =>
  JSON.stringify({
    type: 'tracking.updated',
    data: { trackingNumber, status, occurredAt: new Date().toISOString(), location: 'Bring terminal Alnabru' },
  });
function sendGeneric(
  raw: string,
  o: { id?: string; timestamp?: number; key?: Buffer; extraSignatures?: string[] } = {},
) {
  const id = o.id ?? uid('msg');
  const timestamp = String(o.timestamp ?? nowSeconds());
  const sig = `v1,${hmac(o.key ?? GENERIC_KEY, `${id}.${timestamp}.${raw}`).toString('base64')}`;
  return post('generic', raw, {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': [...(o.extraSignatures ?? []), sig].join(' '),
  });
}

async function newCase(): Promise<LabelledCase> {
  const { orderId } = await seedOrder(stack, { quantity: 1 });
  const c = await startReturn(stack, returnRequest({ orderId, channel: 'portal' }));
  expect(c.status).toBe('awaiting_parcel');
  return withLabel(c);
}

const inbox = (carrier: string, eventId: string) =>
  stack.db
    .select()
    .from(carrierEvents)
    .where(and(eq(carrierEvents.carrier, carrier), eq(carrierEvents.eventId, eventId)));
const inboxFor = (trackingNumber: string) =>
  stack.db.select().from(carrierEvents).where(eq(carrierEvents.trackingNumber, trackingNumber));
const count = (c: { timeline: { type: string }[] }, type: string) => c.timeline.filter((e) => e.type === type).length;

describe('carrier tracking webhooks', () => {
  it('EasyPost: in transit, then delivered counts as receipt; a replay changes nothing', async () => {
    const c = await newCase();
    const tn = c.label.trackingNumber;
    const transitId = uid('evt');
    const transitRaw = easypostEvent(tn, 'in_transit', transitId);
    const transit = await sendEasyPost(transitRaw);
    expect(transit.status).toBe(202);
    expect(transit.body).toMatchObject({
      carrier: 'easypost',
      eventId: transitId,
      trackingNumber: tn,
      mapped: 'in_transit',
      caseId: c.id,
      applied: true,
      duplicate: false,
    });
    const moving = await waitForCase(stack, c.id, (v) => v.status === 'in_transit');
    expect(moving.waitingFor).toBe('receipt');
    expect(moving.deadline).toBe(c.deadline); // the same parcel deadline
    expect(count(moving, 'parcel.in_transit')).toBe(1);

    const deliveredId = uid('evt');
    const deliveredRaw = easypostEvent(tn, 'delivered', deliveredId);
    expect((await sendEasyPost(deliveredRaw)).status).toBe(202);
    const received = await waitForCase(stack, c.id, (v) => v.status === 'received');
    expect(received.waitingFor).toBe('inspection');
    const receipt = eventOf(received, 'parcel.received');
    expect(receipt.detail).toMatchObject({ trackingNumber: tn, scannedBy: 'carrier:easypost' });

    // Both events delivered again: 2xx, one inbox row each, no second timeline entry.
    const again = await sendEasyPost(deliveredRaw);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, applied: true });
    expect((await sendEasyPost(transitRaw)).status).toBe(200);
    expect(await inbox('easypost', deliveredId)).toHaveLength(1);
    expect(await inbox('easypost', transitId)).toHaveLength(1);
    const rows = await inboxFor(tn);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.caseId === c.id && r.appliedAt !== null)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const after = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(after.status).toBe('received');
    expect(after.waitingSince).toBe(received.waitingSince);
    expect(count(after, 'parcel.received')).toBe(1);
    expect(count(after, 'parcel.in_transit')).toBe(1);
  });

  it('AfterShip: InTransit, then Delivered; stale ts and forged signatures are refused', async () => {
    const c = await newCase();
    const tn = c.label.trackingNumber;
    // Lower-case tracking numbers match too.
    expect((await sendAfterShip(aftershipEvent(tn.toLowerCase(), 'InTransit'))).status).toBe(202);
    expect((await waitForCase(stack, c.id, (v) => v.status === 'in_transit')).waitingFor).toBe('receipt');

    const stale = aftershipEvent(tn, 'Delivered', { id: 'stale-1', ts: nowSeconds() - 6 * 60 });
    const refused = await sendAfterShip(stale);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await inbox('aftership', 'stale-1')).toHaveLength(0);

    const forged = await sendAfterShip(aftershipEvent(tn, 'Delivered', { id: 'forged-1' }), 'not-the-secret');
    expect(forged.status).toBe(401);
    expect(await inbox('aftership', 'forged-1')).toHaveLength(0);

    expect((await sendAfterShip(aftershipEvent(tn, 'Delivered'))).status).toBe(202);
    const received = await waitForCase(stack, c.id, (v) => v.status === 'received');
    expect(eventOf(received, 'parcel.received').detail.scannedBy).toBe('carrier:aftership');
  });

  it('generic (Standard Webhooks): in transit, then delivered; several signatures, any match passes', async () => {
    const c = await newCase();
    const tn = c.label.trackingNumber;
    const msgId = uid('msg');
    const raw = genericEvent(tn, 'out_for_delivery');
    const first = await sendGeneric(raw, { id: msgId, extraSignatures: ['v1,bm90IGEgc2lnbmF0dXJl'] });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ eventId: msgId, mapped: 'in_transit', applied: true });
    await waitForCase(stack, c.id, (v) => v.status === 'in_transit' && v.waitingFor === 'receipt');
    expect((await sendGeneric(raw, { id: msgId })).status).toBe(200); // redelivered by the sender
    expect(await inbox('generic', msgId)).toHaveLength(1);

    const tooOld = await sendGeneric(genericEvent(tn, 'delivered'), {
      id: 'old-msg',
      timestamp: nowSeconds() - 10 * 60,
    });
    expect(tooOld.status).toBe(401);
    expect(await inbox('generic', 'old-msg')).toHaveLength(0);

    expect((await sendGeneric(genericEvent(tn, 'delivered'))).status).toBe(202);
    const received = await waitForCase(stack, c.id, (v) => v.status === 'received');
    expect(count(received, 'parcel.in_transit')).toBe(1);
  });

  it('refuses forged and unsigned events with 401 and stores nothing', async () => {
    const c = await newCase();
    const tn = c.label.trackingNumber;
    const forgedId = uid('evt');
    const forged = await sendEasyPost(easypostEvent(tn, 'delivered', forgedId), 'wrong-secret');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    const unsigned = await post('easypost', easypostEvent(tn, 'delivered', forgedId), {});
    expect(unsigned.status).toBe(401);
    const badGeneric = await sendGeneric(genericEvent(tn, 'delivered'), { id: 'forged-msg', key: randomBytes(24) });
    expect(badGeneric.status).toBe(401);
    // A valid signature over another body does not pass either.
    const signedRaw = easypostEvent(tn, 'delivered', forgedId);
    const tampered = await post('easypost', signedRaw.replace('delivered', 'in_transit'), {
      'x-hmac-signature': `hmac-sha256-hex=${hmac(EASYPOST_SECRET, signedRaw).toString('hex')}`,
    });
    expect(tampered.status).toBe(401);
    expect(await inboxFor(tn)).toHaveLength(0);
    expect((await stack.call('GET', `/v1/returns/${c.id}`)).body.status).toBe('awaiting_parcel');
  });

  it('keeps events for unknown tracking numbers (202, no case)', async () => {
    const tn = `LR9${Date.now().toString().slice(-11)}`;
    const id = uid('evt');
    const res = await sendEasyPost(easypostEvent(tn, 'in_transit', id));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ caseId: null, applied: false, duplicate: false });
    const [row] = await inbox('easypost', id);
    expect(row).toMatchObject({
      trackingNumber: tn,
      status: 'in_transit',
      mapped: 'in_transit',
      caseId: null,
      appliedAt: null,
    });
    expect(row!.payload).toMatchObject({ id, description: 'tracker.updated' });
  });

  it('records an in-transit report after receipt without moving the case back', async () => {
    const c = await newCase();
    const tn = c.label.trackingNumber;
    expect((await stack.call('POST', '/v1/scans', { trackingNumber: tn })).body.status).toBe('received');
    const id = uid('evt');
    const late = await sendEasyPost(easypostEvent(tn, 'in_transit', id));
    expect(late.status).toBe(202);
    expect(late.body).toMatchObject({ caseId: c.id, applied: false });
    await new Promise((r) => setTimeout(r, 500));
    const view = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(view).toMatchObject({ status: 'received', waitingFor: 'inspection' });
    expect(count(view, 'parcel.in_transit')).toBe(0);
    expect(await inbox('easypost', id)).toEqual([
      expect.objectContaining({ caseId: c.id, appliedAt: null, mapped: 'in_transit' }),
    ]);
  });

  it('records info statuses only', async () => {
    const c = await newCase();
    const id = uid('evt');
    const res = await sendEasyPost(easypostEvent(c.label.trackingNumber, 'pre_transit', id));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ mapped: 'info', caseId: c.id, applied: false });
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.call('GET', `/v1/returns/${c.id}`)).body.status).toBe('awaiting_parcel');
  });

  it('answers 503 without a configured secret, 404 for an unknown carrier, and is documented', async () => {
    const saved = process.env.CARRIER_WEBHOOK_SECRET_GENERIC;
    delete process.env.CARRIER_WEBHOOK_SECRET_GENERIC;
    try {
      const res = await sendGeneric(genericEvent('LR000000000001', 'delivered'));
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    } finally {
      process.env.CARRIER_WEBHOOK_SECRET_GENERIC = saved;
    }
    expect((await post('dhl', '{}', {})).status).toBe(404);

    const doc = (await stack.call('GET', '/openapi.json')).body;
    for (const carrier of ['generic', 'easypost', 'aftership'])
      expect(doc.paths[`/v1/webhooks/carriers/${carrier}`]?.post).toBeDefined();
    const generic = doc.paths['/v1/webhooks/carriers/generic'].post;
    // Signed by the carrier, not by API key: the document states that no key is needed.
    expect(generic.security).toEqual([]);
    expect(JSON.stringify(generic.requestBody)).toContain('GenericTrackingEvent');
    expect(doc.components.schemas.GenericTrackingEvent.properties.data.properties.status.enum).toEqual([
      'in_transit',
      'out_for_delivery',
      'delivered',
      'exception',
      'returned_to_sender',
    ]);
  });
});
