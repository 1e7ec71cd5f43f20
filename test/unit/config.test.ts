import { describe, expect, expectTypeOf, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newApiKey } from '../../api/auth.js';
import {
  carrierSettings,
  ConfigError,
  loadConfig,
  warehouseAddress,
  weakAdminKey,
  workerTuningFromEnv,
} from '../../runtime/config.js';

const prod = {
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  DATABASE_URL: 'postgres://app@db.internal/returns',
  ADMIN_API_KEY: 'rok-admin-7f3a9c2e5b8d1f4a6c0e9b2d7a5f3c1e',
  LINK_SECRET: 'link-4b1e8d0c7a9f2e6b3d5c1a8f0e7b9d2c',
};

describe('configuration from the environment', () => {
  it('dev mode needs nothing and has defaults', () => {
    const c = loadConfig('dev', {});
    expect(c).toMatchObject({
      PORT: 3000,
      DATA_DIR: '.data',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'returns',
    });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('the API refuses to start without what production needs, naming each variable', () => {
    expect(() => loadConfig('api', {})).toThrow(ConfigError);
    try {
      loadConfig('api', {});
    } catch (err) {
      const msg = (err as Error).message;
      for (const v of ['ADMIN_API_KEY', 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'LINK_SECRET']) expect(msg).toContain(v);
    }
    expect(() => loadConfig('worker', { TEMPORAL_ADDRESS: 'x:7233' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig('worker', { TEMPORAL_ADDRESS: 'x:7233', DATABASE_URL: prod.DATABASE_URL })).toThrow(
      /LINK_SECRET/,
    );
    const { ADMIN_API_KEY: _admin, ...workerEnv } = prod;
    expect(loadConfig('worker', workerEnv).mode).toBe('worker');
    expect(loadConfig('api', prod).ADMIN_API_KEY).toBe(prod.ADMIN_API_KEY);
  });

  it('api and worker mode hand out what they required as present (no assertions at the entry points)', () => {
    const api = loadConfig('api', prod);
    expectTypeOf(api.ADMIN_API_KEY).toEqualTypeOf<string>();
    expectTypeOf(api.TEMPORAL_ADDRESS).toEqualTypeOf<string>();
    const worker = loadConfig('worker', prod);
    expectTypeOf(worker.TEMPORAL_ADDRESS).toEqualTypeOf<string>();
    expectTypeOf(worker.DATABASE_URL).toEqualTypeOf<string>();
    expectTypeOf(loadConfig('dev', {}).TEMPORAL_ADDRESS).toEqualTypeOf<string | undefined>();
    expect(worker).toMatchObject({ TEMPORAL_ADDRESS: prod.TEMPORAL_ADDRESS, DATABASE_URL: prod.DATABASE_URL });
  });

  it('invalid values stop the process with the variable named', () => {
    expect(() => loadConfig('api', { ...prod, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig('api', { ...prod, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig('api', { ...prod, ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY/);
    expect(() => loadConfig('dev', { SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig('api', { ...prod, TEMPORAL_TLS_CERT_PATH: '/c.pem' })).toThrow(/TEMPORAL_TLS_KEY_PATH/);
  });

  it('outside dev mode ADMIN_API_KEY must be long and random, naming the variable; dev mode takes a shorter one', () => {
    const refused = (key: string) =>
      expect(() => loadConfig('api', { ...prod, ADMIN_API_KEY: key })).toThrow(/ADMIN_API_KEY/);
    refused('a-long-enough-admin-key'); // 23 characters
    refused('k'.repeat(64)); // one distinct character
    refused('abababababababababababababababababab'); // two
    refused('passwordpasswordpasswordpassword'); // 7 distinct characters
    refused('aaaaaaaaaaaaaaaaaaaaaaaaabcdefghijklmn'); // enough distinct ones, but mostly one of them
    refused('0123456789abcdef0123456789abcdef'); // a repeated pattern
    expect(() => loadConfig('worker', { ...prod, ADMIN_API_KEY: 'x'.repeat(40) })).toThrow(/ADMIN_API_KEY/);
    expect(weakAdminKey('a-long-enough-admin-key')).toMatch(/at least 32 characters/);
    expect(weakAdminKey('passwordpasswordpasswordpassword')).toMatch(/distinct/);
    // What `openssl rand -hex 16` (32 hex digits) or a generated rok_ key gives passes, every time.
    for (let i = 0; i < 2000; i++) expect(weakAdminKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(weakAdminKey(newApiKey())).toBeUndefined();
    expect(loadConfig('api', { ...prod, ADMIN_API_KEY: randomBytes(32).toString('base64url') }).mode).toBe('api');
    // Dev mode keeps the old floor (16 characters) and no randomness rule.
    expect(loadConfig('dev', { ADMIN_API_KEY: 'dev-admin-key-0001' }).ADMIN_API_KEY).toBe('dev-admin-key-0001');
  });

  it("the worker's cache and concurrency come from WORKER_*, checked against each other", () => {
    expect(workerTuningFromEnv({})).toEqual({
      maxCachedWorkflows: 250,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxConcurrentActivityTaskExecutions: 20,
      maxConcurrentLocalActivityExecutions: 100,
      reuseV8Context: true,
    });
    expect(workerTuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '200', WORKER_REUSE_V8_CONTEXT: 'false' })).toMatchObject(
      { maxCachedWorkflows: 200, reuseV8Context: false },
    );
    expect(() => workerTuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '10' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS \(10\)/,
    );
    expect(() => loadConfig('dev', { WORKER_REUSE_V8_CONTEXT: 'yes' })).toThrow(/WORKER_REUSE_V8_CONTEXT/);
    expect(() => loadConfig('dev', { WORKER_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(
      /WORKER_MAX_CONCURRENT_ACTIVITIES/,
    );
  });

  it('PostNord is configured only with an API key, and then needs the item-id range', () => {
    expect(carrierSettings(loadConfig('dev', {}))).toEqual({});
    expect(() => loadConfig('dev', { POSTNORD_API_KEY: 'k' })).toThrow(
      /POSTNORD_ITEM_PREFIX[\s\S]*POSTNORD_ITEM_RANGE/,
    );
    expect(() =>
      loadConfig('dev', { POSTNORD_API_KEY: 'k', POSTNORD_ITEM_PREFIX: 'ua', POSTNORD_ITEM_RANGE: '1-2' }),
    ).toThrow(/POSTNORD_ITEM_PREFIX/);
    expect(() =>
      loadConfig('dev', { POSTNORD_API_KEY: 'k', POSTNORD_ITEM_PREFIX: 'UA', POSTNORD_ITEM_RANGE: '9-2' }),
    ).toThrow(/POSTNORD_ITEM_RANGE/);
    expect(() => loadConfig('dev', { POSTNORD_POLL_INTERVAL: 'every 4 hours' })).toThrow(/POSTNORD_POLL_INTERVAL/);
    expect(() => loadConfig('dev', { POSTNORD_POLL_INTERVAL: 'PT5S' })).toThrow(
      /POSTNORD_POLL_INTERVAL: must be at least PT1M/,
    );
    const config = loadConfig('dev', {
      POSTNORD_API_KEY: 'k',
      POSTNORD_ITEM_PREFIX: 'UA',
      POSTNORD_ITEM_RANGE: '10000000-19999999',
      POSTNORD_POLL_INTERVAL: 'PT2H',
    });
    expect(carrierSettings(config).postnord).toEqual({
      apiUrl: 'https://api2.postnord.com',
      apiKey: 'k',
      pollEvery: 'PT2H',
      itemPrefix: 'UA',
      itemCountry: 'SE',
      serialFrom: 10_000_000,
      serialTo: 19_999_999,
    });
  });

  it('the warehouse address comes as lines separated by | and a country, both or neither', () => {
    expect(warehouseAddress(loadConfig('dev', {}))).toBeUndefined();
    expect(() => loadConfig('dev', { WAREHOUSE_ADDRESS: 'Lagergatan 1' })).toThrow(/WAREHOUSE_COUNTRY/);
    expect(() => loadConfig('dev', { WAREHOUSE_ADDRESS: 'x', WAREHOUSE_COUNTRY: 'Sweden' })).toThrow(
      /WAREHOUSE_COUNTRY/,
    );
    const config = loadConfig('dev', {
      WAREHOUSE_NAME: 'Nordic Returns AB',
      WAREHOUSE_ADDRESS: 'Returns dept. | Industrigatan 4 | 212 14 Malmö',
      WAREHOUSE_COUNTRY: 'SE',
    });
    expect(warehouseAddress(config)).toEqual({
      name: 'Nordic Returns AB',
      lines: ['Returns dept.', 'Industrigatan 4', '212 14 Malmö'],
      country: 'SE',
    });
  });
});
