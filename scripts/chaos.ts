/**
 * `npm run chaos [-- --quick] [-- --only 1,4] [-- --keep]`: faults injected into the real production
 * processes (node dist/runtime/api-main.js and worker-main.js), a file-backed Temporal dev server and
 * PostgreSQL, while cases are driven through the HTTP API. Not part of `npm test`.
 *
 * Each scenario drives N return cases (seed product and order, POST /v1/returns, dock scan or carrier
 * webhooks, inspection, wait for `completed`) and counts in PostgreSQL, by business key, what was
 * done twice. A case not completed within a generous deadline is lost. The last line printed is one
 * JSON object; the exit code is 1 when anything was lost or duplicated.
 *
 * PostgreSQL: its own cluster in a temp dir on a free port, unless DATABASE_URL is set (then scenario
 * 3, which stops the server, is skipped). Temporal: its own dev server with its state in a file, so
 * it can be stopped and restarted with its state. dist/ is built only when missing, and copied for
 * the run (so a rebuild by someone else mid-run does not pull it away from under the processes).
 *
 * The run is scripts/chaos/run.ts; the scenarios, one a file, are in scripts/chaos/scenarios/.
 */
import { main } from './chaos/run.js';
import { KEEP, log } from './chaos/settings.js';
import { cleanupSync, installCleanup } from './stack/processes.js';

installCleanup({ keep: KEEP, log });

main().then(
  (code) => {
    cleanupSync();
    process.exit(code);
  },
  (err) => {
    console.error(err);
    cleanupSync();
    process.exit(2);
  },
);
