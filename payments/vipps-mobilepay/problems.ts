/** Vipps MobilePay's error answers: RFC 7807 problems in words, and which statuses may pass on a retry. */
import { tryParseJson } from '../http.js';

/** RFC 7807 problem, as the ePayment API sends it. */
interface VippsProblem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number | string;
  traceId?: string;
  extraDetails?: { name?: string; reason?: string }[];
}

/** 401 (still, with a fresh token), 423 (Vipps: transient), 429 and 5xx may pass. */
export function isTransient(status: number): boolean {
  return status === 401 || status === 423 || status === 429 || status >= 500;
}

export function describeProblem(status: number, text: string): string {
  const problem = tryParseJson<VippsProblem>(text);
  if (!problem || typeof problem !== 'object') return `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const parts = [problem.title, problem.detail].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const extra = Array.isArray(problem.extraDetails)
    ? problem.extraDetails.map((d) => [d?.name, d?.reason].filter(Boolean).join(': ')).filter(Boolean)
    : [];
  const trace = typeof problem.traceId === 'string' ? ` (traceId ${problem.traceId})` : '';
  return `HTTP ${status}${parts.length ? `: ${parts.join(' — ')}` : ''}${extra.length ? ` [${extra.join('; ')}]` : ''}${trace}`;
}
