/**
 * `npm run bench [-- --quick] [-- --scale] [-- --profile] [-- --keep] [-- --build] [-- --only <parts>]`:
 * the service's performance against a bare Temporal baseline, in one run. Not part of `npm test`.
 * See BENCHMARKS.md; the run itself is bench/run.ts, its parts are bench/*.ts, the report bench/report.ts.
 * Prints a table, writes bench/results/<date>.json, and prints one JSON object as its last line.
 */
import { parseOptions } from '../bench/options.js';
import { lastLine, printTable, results, writeResults } from '../bench/report.js';
import { runBench } from '../bench/run.js';
import { ROOT } from './stack/dist.js';
import { cleanupSync, installCleanup, logger } from './stack/processes.js';

const log = logger('bench');
const options = parseOptions(process.argv.slice(2));
installCleanup({ keep: options.keep, log });
const started = Date.now();

runBench(options).then(
  (readings) => {
    const r = results(options, started, readings);
    log(`results in ${writeResults(ROOT, r)} (${r.seconds} s)`);
    printTable(r, options.sizes.rate);
    console.log(lastLine(r));
    cleanupSync();
    process.exit(0);
  },
  (err) => {
    console.error(err);
    cleanupSync();
    process.exit(2);
  },
);
