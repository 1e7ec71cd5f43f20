/**
 * A short run of `npm run chaos` inside the suite (issue 9): scenario 1 (the worker SIGKILLed five
 * times at random moments, restarted each time) and scenario 5 (the API killed after committing
 * cases and before starting their workflows; the reconciler schedule picks them up), each with a few
 * cases, against a fresh build of the real production processes, a Temporal dev server and
 * PostgreSQL. Nothing may be lost or done twice, and each fault must actually have hit.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const hasPostgres =
  existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'postgres')));
// The production processes need PostgreSQL: CI runs this once, in its PostgreSQL run (DATABASE_URL
// set), not again in the embedded one; elsewhere it needs a database URL or PostgreSQL installed.
const canRun = process.env.CI ? Boolean(process.env.DATABASE_URL) : Boolean(databaseUrl) || hasPostgres;

interface ChaosScenario {
  name: string;
  started: number;
  completed: number;
  lost: number;
  duplicates: number;
  faults: number;
  error?: string;
}

describe.runIf(canRun)('chaos, short (scenarios 1 and 5 of npm run chaos)', () => {
  it(
    'loses no case and duplicates no effect when the worker is SIGKILLed and the API dies before starting workflows',
    { timeout: 600_000 },
    async () => {
      const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
      const { stdout } = await promisify(execFile)(tsx, ['scripts/chaos.ts', '--build', '--only', '1,5'], {
        cwd: ROOT,
        maxBuffer: 64 << 20,
        timeout: 590_000,
        env: {
          ...process.env,
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
          CHAOS_CASES: '8',
          CHAOS_CONCURRENCY: '4',
          CHAOS_MARKET: 'MT',
          RECONCILE_EVERY: 'PT5S',
          RECONCILE_AFTER: 'PT5S',
        },
      }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
        // Exit code 1 means something was lost or duplicated: the summary below says what.
        if (err.stdout?.trim().startsWith('{') || err.stdout?.includes('"scenarios"')) return { stdout: err.stdout };
        throw new Error(`chaos did not run: ${err.message}\n${err.stderr?.slice(-4000) ?? ''}`);
      });
      const last = stdout.trim().split('\n').at(-1)!;
      const summary = JSON.parse(last) as { scenarios: ChaosScenario[]; lost: number; duplicates: number };
      expect(summary.scenarios.map((s) => s.name)).toEqual([
        '1 worker SIGKILL x5',
        '5 API killed after commit, before start',
      ]);
      for (const s of summary.scenarios) {
        expect(s.error, s.name).toBeUndefined();
        expect(s.started, s.name).toBe(8);
        expect(s.completed, s.name).toBe(8);
        expect(s.lost, s.name).toBe(0);
        expect(s.duplicates, s.name).toBe(0);
        expect(s.faults, `${s.name}: the fault hit`).toBeGreaterThan(0);
      }
    },
  );
});
