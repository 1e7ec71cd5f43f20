/**
 * Bearer API keys with roles. Keys are stored only as SHA-256 hashes (they are long random
 * strings, so a fast hash is enough); the bootstrap admin key comes from ADMIN_API_KEY.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.js';
import { activeApiKey } from '../db/api-keys.js';
import { ROLES, type Role } from '../domain/roles.js';
import { ProblemError } from './problem.js';

export { ROLES, type Role };

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

export type AuthEnv = { Variables: { principal: Principal } };

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newApiKey = () => `rok_${randomBytes(24).toString('base64url')}`;

export function authenticate(db: Db, adminApiKey: string): MiddlewareHandler<AuthEnv> {
  const adminHash = Buffer.from(hashKey(adminApiKey), 'hex');
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ProblemError(401, 'missing bearer API key (Authorization: Bearer <key>)');
    const hash = hashKey(match[1]!);
    if (timingSafeEqual(Buffer.from(hash, 'hex'), adminHash)) {
      c.set('principal', { keyId: 'bootstrap-admin', name: 'bootstrap admin', role: 'admin' });
      return next();
    }
    const row = await activeApiKey(db, hash);
    if (!row) throw new ProblemError(401, 'invalid API key');
    c.set('principal', { keyId: row.id, name: row.name, role: row.role });
    return next();
  };
}

/** Admins may do everything; everyone else needs one of `roles`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const { role } = c.get('principal');
    if (role !== 'admin' && !roles.includes(role)) {
      throw new ProblemError(403, `role ${role} may not do this; needs one of: admin, ${roles.join(', ')}`);
    }
    return next();
  };
}
