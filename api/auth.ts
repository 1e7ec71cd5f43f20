/**
 * Bearer API keys with roles. Keys are stored only as SHA-256 hashes (they are long random
 * strings, so a fast hash is enough); the bootstrap admin key comes from ADMIN_API_KEY. Who may
 * call what is decided in one place, the table of api/access.ts, consulted for every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.js';
import { activeApiKey, touchApiKey } from '../db/api-keys.js';
import { ROLES, type Role } from '../domain/roles.js';
import { ACCESS, allows, operationOf, type Access, type Operation } from './access.js';
import { ProblemError } from './problem.js';

export { ROLES, type Role };

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

/** `principal` is set once a request presented a valid key (never on public operations). */
export type AuthEnv = { Variables: { principal: Principal } };

export const BOOTSTRAP_ADMIN_KEY_ID = 'bootstrap-admin';
/** A key's last use is written at most this often. */
export const LAST_USED_EVERY_MS = 60_000;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `rok_${randomBytes(24).toString('base64url')}`;

/** The principal of the request's bearer key; 401 when there is none or it is unknown or revoked. */
export function authenticator(db: Db, adminApiKey: string) {
  const adminHash = Buffer.from(hashKey(adminApiKey), 'hex');
  return async (c: Context<AuthEnv>): Promise<Principal> => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ProblemError(401, 'missing bearer API key (Authorization: Bearer <key>)');
    const hash = hashKey(match[1]!);
    let principal: Principal;
    if (timingSafeEqual(Buffer.from(hash, 'hex'), adminHash)) {
      principal = { keyId: BOOTSTRAP_ADMIN_KEY_ID, name: 'bootstrap admin', role: 'admin' };
    } else {
      const row = await activeApiKey(db, hash);
      if (!row) throw new ProblemError(401, 'invalid API key');
      principal = { keyId: row.id, name: row.name, role: row.role };
      const now = new Date();
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
        // Best effort: a failed bookkeeping write must not fail the request.
        await touchApiKey(db, row.id, now, LAST_USED_EVERY_MS).catch(() => undefined);
      }
    }
    c.set('principal', principal);
    return principal;
  };
}

/**
 * Authorization of every request by the access table (api/access.ts), in two steps:
 * - `gate`, before every route: public operations pass, an operation missing from the table is
 *   refused (403), others go on to `authorize` (routes outside /v1/ are authorized right here);
 * - `authorize`, on /v1/* (after the failed-authentication limit, before the per-key one): a valid
 *   key (401) whose role the table allows (403).
 * A request no route matches needs a valid key under /v1/ and then gets its 404 from the router.
 */
export function accessControl(db: Db, adminApiKey: string, table: Readonly<Record<string, Access>> = ACCESS) {
  const authenticate = authenticator(db, adminApiKey);
  const check = async (c: Context<AuthEnv>, op: Operation | undefined) => {
    if (!op) return void (await authenticate(c));
    const access = table[op.key];
    if (access === 'public') return;
    const { role } = await authenticate(c);
    if (access === undefined) {
      throw new ProblemError(403, `${op.key} has no entry in the access table (api/access.ts): denied`);
    }
    if (!allows(access, role)) {
      const roles = typeof access === 'string' ? [] : access;
      throw new ProblemError(403, `role ${role} may not do this; needs one of: ${['admin', ...roles].join(', ')}`);
    }
  };
  const gate: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const op = operationOf(c);
    if (!op) return next();
    const access = table[op.key];
    if (access === 'public') return next();
    if (access === undefined) {
      throw new ProblemError(403, `${op.key} has no entry in the access table (api/access.ts): denied`);
    }
    if (!c.req.path.startsWith('/v1/')) await check(c, op);
    return next();
  };
  const authorize: MiddlewareHandler<AuthEnv> = async (c, next) => {
    await check(c, operationOf(c));
    return next();
  };
  return { gate, authorize };
}
