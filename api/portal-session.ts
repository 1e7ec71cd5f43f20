/**
 * Customer portal sessions: a customer signs in with an order number and the order's e-mail and
 * gets a signed token bound to that order (links/customer-links.ts, purpose `portal`), sent back as
 * `Authorization: Bearer <token>`. No API key is involved: the portal routes are public in
 * api/access.ts and check the token here.
 *
 * Sign-ins are limited twice so that order numbers and e-mails cannot be guessed: a wrong one
 * counts towards the failed-authentication limit of the client IP (api/limits.ts, shared with
 * wrong API keys), and every attempt counts towards a limit per order number.
 */
import type { Context } from 'hono';
import { PORTAL_SESSION_MS, signLink, verifyLink } from '../links/customer-links.js';
import { CUSTOMER_LANGUAGES, type CustomerLanguage } from '../domain/policy.js';
import { WindowCounter } from './limits.js';
import { ProblemError } from './problem.js';

/** Sign-in attempts per order number and minute, right or wrong. */
export const PORTAL_SIGN_INS_PER_ORDER_PER_MINUTE = 10;

export interface PortalToken {
  token: string;
  expiresAt: string;
}

export function issuePortalToken(secret: string, orderId: string, now = Date.now()): PortalToken {
  const exp = now + PORTAL_SESSION_MS;
  return {
    token: signLink(secret, { purpose: 'portal', subject: orderId, exp }),
    expiresAt: new Date(exp).toISOString(),
  };
}

/** The order the request's portal token is bound to; 401 when it has none, or an invalid or expired one. */
export function portalOrderOf(c: Context, secret: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match) throw new ProblemError(401, 'missing portal token (Authorization: Bearer <token>); sign in first');
  const claims = verifyLink(secret, match[1]!, 'portal');
  if (!claims) throw new ProblemError(401, 'the portal token is invalid or has expired; sign in again');
  return claims.subject;
}

/** Counts sign-in attempts per order number; over the limit → 429 with Retry-After. */
export function signInLimiter(perOrderPerMinute = PORTAL_SIGN_INS_PER_ORDER_PER_MINUTE) {
  const attempts = new WindowCounter(perOrderPerMinute);
  return (c: Context, orderId: string): void => {
    const wait = attempts.hit(orderId.toLowerCase());
    if (wait === undefined) return;
    c.header('Retry-After', String(wait));
    throw new ProblemError(429, `too many sign-ins for this order number; retry after ${wait} s`);
  };
}

/** The portal language of a locale (`nb-NO` → `nb`, `no`/`nn` → `nb`); undefined for one it does not speak. */
export function supportedLanguage(locale: string | null | undefined): CustomerLanguage | undefined {
  const lang = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  if (lang === 'no' || lang === 'nn') return 'nb';
  return (CUSTOMER_LANGUAGES as readonly string[]).includes(lang) ? (lang as CustomerLanguage) : undefined;
}

/** The customer's language: their locale's, else English. */
export const customerLanguage = (locale: string | null | undefined): CustomerLanguage =>
  supportedLanguage(locale) ?? 'en';

/** E-mail addresses compare without case and surrounding blanks. */
export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
