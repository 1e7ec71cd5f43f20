/**
 * The process's logger: no key, secret or payment token ever reaches the logs. Every line pino
 * writes is scrubbed before it leaves the process, at any depth (errors and their causes included):
 * - the values of fields named like a credential (`authorization`, `apiKey`, `secret`, `password`,
 *   `token`, `signature`, `cookie`, `keyHash`, …) become `[redacted]`;
 * - in every other string, bearer/basic credentials, provider keys and webhook secrets (`sk_live_…`,
 *   `whsec_…`), this API's keys (`rok_…`) and credential query parameters are cut out.
 * Fields that only name a key (`keyId`, `idempotencyKey`) stay: they are not secrets.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export const REDACTED = '[redacted]';

const SECRET_FIELD =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|key|key[-_]?hash|password|passphrase|pass|credentials?|client[-_]?secret|subscription[-_]?key|ocp-apim-subscription-key|.*secret|.*token|.*signature|hmac.*|x-adyen-hmac.*)$/i;

const SECRET_TEXT: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(sk|rk|pk)_(live|test)_[A-Za-z0-9_]+/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9_]+/g, REDACTED],
  [/\brok_[A-Za-z0-9_-]+/g, REDACTED],
  [/([?&](?:api[-_]?key|apikey|key|token|access_token|secret|signature|password)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

/** `text` with every credential-looking substring cut out. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of a parsed log line with credential fields redacted and credential-looking text cut out. */
export function scrubValue(value: unknown, field?: string): unknown {
  if (field !== undefined && SECRET_FIELD.test(field) && value !== null && typeof value !== 'object') {
    return REDACTED;
  }
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, k);
    return out;
  }
  return value;
}

/** One serialized pino line, scrubbed (a line that is not JSON is scrubbed as text). */
export function scrubLine(line: string): string {
  const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
  try {
    return `${JSON.stringify(scrubValue(JSON.parse(trimmed)))}\n`;
  } catch {
    return `${scrubText(trimmed)}\n`;
  }
}

/** A destination that scrubs each line before handing it on. */
export function scrubbing(dest: DestinationStream): DestinationStream {
  return { write: (line: string) => dest.write(scrubLine(line)) };
}

/** pino's own redaction of the usual places, before the line-level scrubbing. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["stripe-signature"]',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

/** A pino logger whose output is redacted and scrubbed; `dest` defaults to stdout. */
export function createRedactingLogger(options: LoggerOptions = {}, dest?: DestinationStream): Logger {
  return pino(
    { ...options, redact: { paths: REDACT_PATHS, censor: REDACTED } },
    scrubbing(dest ?? pino.destination(1)),
  );
}
