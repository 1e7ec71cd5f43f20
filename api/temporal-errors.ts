/** Maps what Temporal says about a case's workflow to the API's statuses. */
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CASE_ALREADY_SETTLED, CASE_NOT_WAITING, INVALID_INSPECTION, REFUND_NOT_OPEN } from '../domain/case-guards.js';
import { ProblemError } from './problem.js';

export function toProblem(err: unknown): unknown {
  // A closed workflow takes no more messages: its case is final, a wrong state as the validators say.
  if (err instanceof WorkflowNotFoundError)
    return new ProblemError(409, 'the case is no longer running', undefined, 'wrong-state');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const { type, message } = err.cause;
    if (type === CASE_NOT_WAITING || type === CASE_ALREADY_SETTLED || type === REFUND_NOT_OPEN)
      return new ProblemError(409, message, undefined, 'wrong-state');
    if (type === INVALID_INSPECTION)
      return new ProblemError(422, message, [{ field: 'lines', detail: message, in: 'body' }]);
  }
  // Temporal unreachable or overloaded: the request may be retried, nothing was changed.
  if (err instanceof ServiceError) return new ProblemError(503, `Temporal did not accept the request: ${err.message}`);
  return err;
}
