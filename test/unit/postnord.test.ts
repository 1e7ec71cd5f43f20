import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  carrierAdapter,
  isS10ItemId,
  LabelRangeExhausted,
  labelCarrier,
  newLocalTrackingNumber,
  nordicTime,
  s10ItemId,
  type PostNordSettings,
} from '../../carriers/index.js';
import { fetchTracking, mapPostNordStatus, PostNordError, POSTNORD_STATUSES } from '../../carriers/postnord.js';

// A local stand-in for PostNord's track-and-trace API, on loopback only.
const API_KEY = 'test-key-123';
const requests: URL[] = [];
let handler: (url: URL, res: ServerResponse) => void = () => {};
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    handler(url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const event = (eventTime: string, status: string, eventCode: string, displayName?: string) => ({
  eventTime,
  eventCode,
  eventDescription: `${status} (${eventCode})`,
  status,
  location: displayName ? { displayName, city: 'x', countryCode: 'SE' } : { city: 'Malmö', countryCode: 'SE' },
});

describe('PostNord track-and-trace polling', () => {
  it('GETs the v5 findByIdentifier endpoint and returns the events oldest first with the mapped state', async () => {
    handler = (url, res) =>
      json(res, 200, {
        TrackingInformationResponse: {
          shipments: [
            {
              shipmentId: url.searchParams.get('id'),
              items: [
                {
                  // Out of order on purpose.
                  events: [
                    event('2026-11-03T09:30:00', 'EN_ROUTE', 'ARRIVED_AT_TERMINAL', 'Terminal Jönköping'),
                    event('2026-11-02T08:15:00', 'INFORMED', 'EDI_RECEIVED'),
                    event('2026-11-02T17:00:00', 'EN_ROUTE', 'ITEM_RECEIVED', 'Service point Malmö C'),
                  ],
                },
              ],
            },
          ],
        },
      });
    const t = await fetchTracking(`${baseUrl}/`, API_KEY, '00370712345678901234');
    const url = requests.at(-1)!;
    expect(url.pathname).toBe('/rest/shipment/v5/trackandtrace/findByIdentifier.json');
    expect(Object.fromEntries(url.searchParams)).toEqual({ id: '00370712345678901234', locale: 'en', apikey: API_KEY });

    expect(t.events.map((e) => e.eventCode)).toEqual(['EDI_RECEIVED', 'ITEM_RECEIVED', 'ARRIVED_AT_TERMINAL']);
    expect(t.events.map((e) => e.mapped)).toEqual(['info', 'in_transit', 'in_transit']);
    expect(t.events[0]).toMatchObject({
      status: 'INFORMED',
      location: 'Malmö, SE',
      eventDescription: 'INFORMED (EDI_RECEIVED)',
    });
    expect(t.latest).toMatchObject({ eventTime: '2026-11-03T09:30:00', location: 'Terminal Jönköping' });
    expect(t.state).toBe('in_transit');
  });

  it('accepts a top-level shipments array; delivered wins over a later informational event', async () => {
    handler = (_url, res) =>
      json(res, 200, {
        shipments: [
          {
            items: [
              {
                events: [
                  event('2026-11-02T08:00:00Z', 'EN_ROUTE', 'X1'),
                  event('2026-11-04T11:00:00Z', 'DELIVERED', 'X2', 'Warehouse Borås'),
                ],
              },
              { events: [event('2026-11-05T07:00:00Z', 'OTHER', 'X3')] },
            ],
          },
        ],
      });
    const t = await fetchTracking(baseUrl, API_KEY, 'PN1');
    expect(t.events.map((e) => e.status)).toEqual(['EN_ROUTE', 'DELIVERED', 'OTHER']);
    expect(t.latest?.status).toBe('OTHER');
    expect(t.state).toBe('delivered');
  });

  it('only informed, or nothing at all: info', async () => {
    handler = (_url, res) =>
      json(res, 200, {
        TrackingInformationResponse: {
          shipments: [{ items: [{ events: [event('2026-11-02T08:00:00Z', 'INFORMED', 'EDI_RECEIVED')] }] }],
        },
      });
    expect((await fetchTracking(baseUrl, API_KEY, 'PN2')).state).toBe('info');
    handler = (_url, res) => json(res, 200, { TrackingInformationResponse: { shipments: [] } });
    expect(await fetchTracking(baseUrl, API_KEY, 'PN3')).toMatchObject({
      events: [],
      latest: undefined,
      state: 'info',
    });
    handler = (_url, res) => json(res, 404, { message: 'not found' });
    expect(await fetchTracking(baseUrl, API_KEY, 'PN4')).toMatchObject({ events: [], state: 'info' });
  });

  it('throws PostNordError on server errors, bodies that are no tracking answer, and timeouts', async () => {
    handler = (_url, res) => json(res, 500, { error: 'boom' });
    await expect(fetchTracking(baseUrl, API_KEY, 'PN5')).rejects.toMatchObject({
      name: 'PostNordError',
      httpStatus: 500,
    });
    handler = (_url, res) => json(res, 200, { something: 'else' });
    await expect(fetchTracking(baseUrl, API_KEY, 'PN6')).rejects.toBeInstanceOf(PostNordError);
    handler = (_url, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{not json');
    };
    await expect(fetchTracking(baseUrl, API_KEY, 'PN7')).rejects.toBeInstanceOf(PostNordError);
    handler = () => {}; // never answers
    await expect(fetchTracking(baseUrl, API_KEY, 'PN8', { timeoutMs: 200 })).rejects.toThrow(
      /did not answer within 200 ms/,
    );
  });

  it('maps every documented PostNord status, falls back to the event code, and defaults to info', () => {
    const table = Object.fromEntries(POSTNORD_STATUSES.map((s) => [s, mapPostNordStatus(s)]));
    expect(table).toEqual({
      CREATED: 'info',
      INFORMED: 'info',
      EN_ROUTE: 'in_transit',
      AVAILABLE_FOR_DELIVERY: 'in_transit',
      AVAILABLE_FOR_DELIVERY_PAR_LOC: 'info',
      DELIVERED: 'delivered',
      DELIVERY_IMPOSSIBLE: 'info',
      DELIVERY_REFUSED: 'info',
      EXPECTED_DELAY: 'info',
      RETURNED: 'info',
      STOPPED: 'info',
      OTHER: 'info',
    });
    expect(mapPostNordStatus('delivered')).toBe('delivered');
    expect(mapPostNordStatus('en route')).toBe('in_transit');
    expect(mapPostNordStatus('', 'DELIVERED')).toBe('delivered');
    expect(mapPostNordStatus(undefined, 'ITEM_RECEIVED')).toBe('in_transit');
    expect(mapPostNordStatus('SOMETHING_NEW', 'UNKNOWN_CODE')).toBe('info');
    expect(mapPostNordStatus('__proto__')).toBe('info');
  });
});

describe('carrier registry', () => {
  it('has one webhook adapter per pushing carrier and none for polled or unknown carriers', () => {
    for (const name of ['easypost', 'aftership', 'generic']) expect(carrierAdapter(name)?.name).toBe(name);
    expect(carrierAdapter('postnord')).toBeUndefined();
    expect(carrierAdapter('dhl')).toBeUndefined();
    expect(carrierAdapter('__proto__')).toBeUndefined();
    expect(carrierAdapter('easypost')!.mapStatus('out_for_delivery')).toBe('in_transit');
    expect(carrierAdapter('aftership')!.mapStatus('Delivered')).toBe('delivered');
    expect(carrierAdapter('generic')!.mapStatus('exception')).toBe('info');
  });
});

describe('label carriers', () => {
  const settings: PostNordSettings = {
    apiUrl: 'http://127.0.0.1:1',
    apiKey: 'k',
    pollEvery: 'PT4H',
    itemPrefix: 'UA',
    itemCountry: 'SE',
    serialFrom: 10_000_000,
    serialTo: 10_000_001,
  };

  it("computes UPU S10 check digits (the standard's own examples) and rejects altered ids", () => {
    expect(s10ItemId('RR', 12_345_678, 'SE')).toBe('RR123456785SE');
    expect(s10ItemId('AA', 47_312_482, 'GB')).toBe('AA473124829GB');
    // Remainder 1 gives check 0, remainder 0 gives 5.
    expect(s10ItemId('EE', 8, 'NO')).toBe('EE000000080NO');
    expect(s10ItemId('EE', 15, 'NO')).toBe('EE000000155NO');
    expect(isS10ItemId('RR123456785SE')).toBe(true);
    expect(isS10ItemId('RR123456784SE')).toBe(false);
    expect(isS10ItemId('RR12345678SE')).toBe(false);
    expect(() => s10ItemId('RR', 100_000_000, 'SE')).toThrow(RangeError);
  });

  it('local labels need no settings; PostNord labels only with settings, from the range, until it is used up', async () => {
    expect(labelCarrier('local', {})?.name).toBe('local');
    expect(newLocalTrackingNumber()).toMatch(/^LR\d{12}$/);
    expect(labelCarrier('postnord', {})).toBeUndefined();
    expect(labelCarrier('dhl', { postnord: settings })).toBeUndefined();
    const postnord = labelCarrier('postnord', { postnord: settings })!;
    expect(postnord.pollEvery).toBe('PT4H');
    const counters = new Map<string, number>();
    const serials = {
      next: async (series: string) => counters.set(series, (counters.get(series) ?? 0) + 1).get(series)!,
      issued: async (series: string) => counters.get(series) ?? 0,
    };
    const first = await postnord.createLabel({ caseId: 'c', parcelNo: 1, serials });
    const second = await postnord.createLabel({ caseId: 'c', parcelNo: 2, serials });
    expect(first.trackingNumber).toBe(s10ItemId('UA', 10_000_000, 'SE'));
    expect(second.trackingNumber).toBe(s10ItemId('UA', 10_000_001, 'SE'));
    // Used up: refused without taking (burning) another number.
    await expect(postnord.createLabel({ caseId: 'c', parcelNo: 3, serials })).rejects.toThrow(LabelRangeExhausted);
    expect(counters.get('postnord:UA10000000')).toBe(2);
    // Extending the range keeps counting; a new range starts at its own first serial.
    const extended = labelCarrier('postnord', { postnord: { ...settings, serialTo: 10_000_009 } })!;
    expect((await extended.createLabel({ caseId: 'c', parcelNo: 3, serials })).trackingNumber).toBe(
      s10ItemId('UA', 10_000_002, 'SE'),
    );
    const fresh = labelCarrier('postnord', {
      postnord: { ...settings, serialFrom: 20_000_000, serialTo: 20_000_009 },
    })!;
    expect((await fresh.createLabel({ caseId: 'd', parcelNo: 1, serials })).trackingNumber).toBe(
      s10ItemId('UA', 20_000_000, 'SE'),
    );
  });

  it('PostNord polling maps events with the status, falling back to the event code', async () => {
    handler = (_url, res) =>
      json(res, 200, {
        shipments: [
          {
            items: [
              {
                events: [
                  event('2026-11-02T08:00:00', '', 'ITEM_RECEIVED'),
                  event('2026-11-03T08:00:00', 'DELIVERED', 'X'),
                ],
              },
            ],
          },
        ],
      });
    const postnord = labelCarrier('postnord', { postnord: { ...settings, apiUrl: baseUrl } })!;
    const events = await postnord.track!('UA100000004SE');
    expect(events.map((e) => [e.status, e.mapped])).toEqual([
      ['ITEM_RECEIVED', 'in_transit'],
      ['DELIVERED', 'delivered'],
    ]);
    // Event ids are derived from the event, so the same event polled again has the same id.
    expect((await postnord.track!('UA100000004SE')).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it("reads PostNord's offset-less event times as Swedish wall-clock time, whatever the server's zone", () => {
    expect(nordicTime('2026-11-02T08:15:00')?.toISOString()).toBe('2026-11-02T07:15:00.000Z'); // CET
    expect(nordicTime('2026-07-02T08:15:00')?.toISOString()).toBe('2026-07-02T06:15:00.000Z'); // CEST
    expect(nordicTime('2026-03-29T03:30:00')?.toISOString()).toBe('2026-03-29T01:30:00.000Z'); // just after the spring switch
    expect(nordicTime('2026-10-25T01:30:00')?.toISOString()).toBe('2026-10-24T23:30:00.000Z'); // before the autumn switch
    expect(nordicTime('2026-11-02T08:15:00Z')?.toISOString()).toBe('2026-11-02T08:15:00.000Z');
    expect(nordicTime('2026-11-02T08:15:00+02:00')?.toISOString()).toBe('2026-11-02T06:15:00.000Z');
    expect(nordicTime('not a time')).toBeNull();
  });
});
