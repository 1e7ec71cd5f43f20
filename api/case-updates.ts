/**
 * Messages to a case's workflow from a request. The workflow's validators decide whether the case
 * takes an update (domain/case-guards.ts); their refusals and Temporal's errors become problem+json.
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { caseWorkflowId } from '../workflows/messages.js';
import { toProblem } from './temporal-errors.js';

export async function updateCase<Ret, Arg>(
  temporal: Client,
  caseId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  opts: { updateId?: string } = {},
): Promise<Ret> {
  try {
    return await temporal.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(update, { args: [arg], ...opts });
  } catch (err) {
    throw toProblem(err);
  }
}

export async function signalCase<Arg>(
  temporal: Client,
  caseId: string,
  signal: SignalDefinition<[Arg]>,
  arg: Arg,
): Promise<void> {
  try {
    await temporal.workflow.getHandle(caseWorkflowId(caseId)).signal(signal, arg);
  } catch (err) {
    throw toProblem(err);
  }
}
