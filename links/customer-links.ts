/**
 * Links sent to customers carry a signed, expiring token instead of a password: a portal session
 * bound to one order, or an unsubscribe link bound to one customer. HMAC-SHA256 over the payload;
 * the API verifies what the worker (e-mails) or the API itself (portal sign-in) signed, so both
 * processes share `LINK_SECRET`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkPurpose = 'portal' | 'unsubscribe';

export interface LinkClaims {
  purpose: LinkPurpose;
  /** The order (portal) or the customer (unsubscribe) the token is bound to. */
  subject: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

const b64 = (buf: Buffer) => buf.toString('base64url');
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = b64(Buffer.from(JSON.stringify([claims.purpose, claims.subject, claims.exp])));
  return `${payload}.${b64(mac(secret, payload))}`;
}

/** The claims of a valid, unexpired token of that purpose; undefined for anything else. */
export function verifyLink(
  secret: string,
  token: string,
  purpose: LinkPurpose,
  now = Date.now(),
): LinkClaims | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length) return undefined;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [p, subject, exp] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (p !== purpose || typeof subject !== 'string' || typeof exp !== 'number' || exp <= now) return undefined;
    return { purpose, subject, exp };
  } catch {
    return undefined;
  }
}

/** A portal session signed in by order number + e-mail lasts this long. */
export const PORTAL_SESSION_MS = 60 * 60 * 1000;
/** A portal link in an e-mail stays valid this long (the case usually ends well before). */
export const PORTAL_EMAIL_LINK_MS = 60 * 24 * 60 * 60 * 1000;
/** An unsubscribe link stays valid this long (RFC 8058 asks it to work for a long time). */
export const UNSUBSCRIBE_LINK_MS = 365 * 24 * 60 * 60 * 1000;

/** The case's page in the portal, signed in already: the token rides in the fragment (never in server logs). */
export function portalCaseUrl(publicUrl: string, secret: string, orderId: string, caseId: string, now = Date.now()) {
  const token = signLink(secret, { purpose: 'portal', subject: orderId, exp: now + PORTAL_EMAIL_LINK_MS });
  return `${publicUrl}/portal#case=${encodeURIComponent(caseId)}&token=${token}`;
}

export function unsubscribeUrl(publicUrl: string, secret: string, customerId: string, now = Date.now()) {
  const token = signLink(secret, { purpose: 'unsubscribe', subject: customerId, exp: now + UNSUBSCRIBE_LINK_MS });
  return `${publicUrl}/v1/unsubscribe?token=${token}`;
}
