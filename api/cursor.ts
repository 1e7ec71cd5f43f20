/** Page cursors of the lists (newest first): the last item's createdAt and id, opaque to clients. */
import { ProblemError } from './problem.js';

export const encodeCursor = (last: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const createdAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error();
    return { createdAt, id };
  } catch {
    throw new ProblemError(400, 'invalid cursor', [
      { field: 'cursor', detail: 'not a cursor from a previous page', in: 'query' },
    ]);
  }
}
