import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Operational endpoints answer without an API key. */
const get = (path: string) => stack.app.request(path, { method: 'GET' });

describe('health', () => {
  it('GET /healthz → 200 ok', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /readyz → 200 with database and temporal ok', async () => {
    const res = await get('/readyz');
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ status: 'ok', checks: { database: 'ok', temporal: 'ok' } });
  });
});

describe('GET /openapi.json', () => {
  let doc: any;
  beforeAll(async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    doc = await res.json();
  });

  it('is OpenAPI 3.1', () => {
    expect(typeof doc.openapi).toBe('string');
    expect(doc.openapi.startsWith('3.1')).toBe(true);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it('documents the contract paths with their methods', () => {
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/returns',
        '/v1/returns/{id}',
        '/v1/returns/{id}/inspection',
        '/v1/scans',
        '/v1/orders',
        '/v1/credit-notes/{number}',
        '/v1/api-keys',
      ]),
    );
    expect(Object.keys(paths['/v1/returns']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(paths['/v1/returns/{id}/inspection']).toHaveProperty('post');
    expect(paths['/v1/scans']).toHaveProperty('post');
    expect(paths['/v1/orders']).toHaveProperty('post');
    expect(paths['/v1/credit-notes/{number}']).toHaveProperty('get');
    expect(paths['/v1/api-keys']).toHaveProperty('post');
  });

  it('declares bearer security and uses it on the v1 operations', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/returns'].post.security).toEqual([{ bearer: [] }]);
  });

  it('describes problem+json errors and the start body', () => {
    const post = doc.paths['/v1/returns'].post;
    expect(post.responses['422'].content).toHaveProperty(['application/problem+json']);
    expect(post.requestBody.content['application/json'].schema).toBeDefined();
    expect(doc.components.schemas).toHaveProperty('StartReturn');
    expect(doc.components.schemas.StartReturn.required).toEqual(
      expect.arrayContaining(['orderId', 'method', 'channel', 'lines']),
    );
  });
});

describe('GET /docs', () => {
  it('serves the Swagger UI page pointing at local assets and /openapi.json', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const init = await get('/docs/init.js');
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/openapi.json');
  });

  it('serves the bundle it references', async () => {
    const res = await get('/docs/assets/swagger-ui-bundle.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    const body = await res.arrayBuffer();
    expect(body.byteLength).toBeGreaterThan(100_000);
    const css = await get('/docs/assets/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('serves nothing else from the assets directory (404 problem)', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/index.js']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
    }
  });
});

describe('unknown routes', () => {
  it('→ 404 problem+json', async () => {
    const res = await get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: expect.any(String),
      title: 'Not found',
      status: 404,
      detail: expect.stringContaining('/no/such/route'),
    });
  });

  it('under /v1 with a valid key → 404 problem+json; without one → 401', async () => {
    const res = await stack.call('GET', '/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404 });
    expect((await get('/v1/no-such-thing')).status).toBe(401);
  });

  it('a known path with an unsupported method → a 4xx problem, not 500', async () => {
    const res = await stack.call('DELETE', '/v1/returns');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('GET /metrics', () => {
  const scrape = async () => {
    const res = await stack.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  /** The value of one sample line, e.g. `returns_cases{status="received"}`; 0 when absent. */
  const sample = (text: string, series: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${series} `))
        ?.split(' ')[1] ?? 0,
    );

  it('counts requests by route pattern and reports cases by status from the projection', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const before = await scrape();
    const started = await startReturn(stack, returnRequest({ orderId, channel: 'portal' }));
    await scanParcel(stack, trackingNumberOf(started));
    await waitForCase(stack, started.id, (c) => c.status === 'received');
    expect((await stack.call('GET', '/v1/returns/no-such-case')).status).toBe(404);

    const after = await scrape();
    const get404 = 'http_requests_total{method="GET",route="/v1/returns/:id",status="404"}';
    expect(sample(after, get404)).toBe(sample(before, get404) + 1);
    const posted = 'http_requests_total{method="POST",route="/v1/returns",status="201"}';
    expect(sample(after, posted)).toBe(sample(before, posted) + 1);
    // Never the raw path (bounded label values).
    expect(after).not.toContain('no-such-case');
    expect(sample(after, 'returns_cases{status="received"}')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^http_request_duration_seconds_bucket\{.*route="\/v1\/scans".*\} \d+$/m);
    for (const name of ['returns_cases_stuck', 'returns_carrier_events_unmatched', 'process_cpu_seconds_total'])
      expect(after).toContain(`# TYPE ${name} `);
  });
});
