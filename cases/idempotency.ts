/**
 * The `Idempotency-Key` of `POST /v1/returns`: a key is bound to its request body's hash and to the
 * case it created, in the same transaction as the case, so a retry answers that case.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { stringify } from 'safe-stable-stringify';
import { idempotencyKeys, returnCases } from '../db/schema.js';
import { ensureCaseWorkflow, type OpenCaseDeps } from './case-workflow.js';
import type { OpenedCase } from './case-request.js';
import { CaseNotOpened } from './not-opened.js';
import type { CaseTx } from './transaction.js';

export const requestHashOf = (body: unknown): string =>
  createHash('sha256')
    .update(stringify(body) ?? '')
    .digest('hex');

/** The case an earlier request with this key created, if any; the same key with another body is refused. */
export async function replayedCase(
  deps: OpenCaseDeps,
  idemKey: string,
  requestHash: string,
): Promise<OpenedCase | undefined> {
  const [seen] = await deps.db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, 'returns'), eq(idempotencyKeys.key, idemKey)));
  if (!seen) return undefined;
  if (seen.requestHash !== requestHash)
    throw new CaseNotOpened('idempotency-conflict', 'this Idempotency-Key was used with a different body');
  await ensureStartedOnReplay(deps, seen.resourceId);
  return { caseId: seen.resourceId, replayed: true };
}

/** Binds the key to the new case; a concurrent request holding the same key makes this one retry. */
export async function claimIdempotencyKey(tx: CaseTx, idemKey: string, requestHash: string, caseId: string) {
  const ok = await tx
    .insert(idempotencyKeys)
    .values({ scope: 'returns', key: idemKey, requestHash, resourceId: caseId })
    .onConflictDoNothing()
    .returning();
  if (ok.length === 0)
    throw new CaseNotOpened('idempotency-conflict', 'a request with this Idempotency-Key is in progress; retry');
}

/**
 * A retry with the same Idempotency-Key: the first request may have committed the case and then
 * died (or failed to start the workflow and to take the case back). A case past `requested` has a
 * workflow (only it moves the status); one still there gets its workflow started if it has none.
 */
async function ensureStartedOnReplay(deps: OpenCaseDeps, caseId: string): Promise<void> {
  const [row] = await deps.db
    .select({ status: returnCases.status })
    .from(returnCases)
    .where(eq(returnCases.id, caseId));
  if (row?.status !== 'requested') return;
  try {
    await ensureCaseWorkflow(deps, caseId);
  } catch (err) {
    throw new CaseNotOpened('not-started', `could not start the case workflow: ${(err as Error).message}`);
  }
}
