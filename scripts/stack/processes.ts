/**
 * Child processes, temp dirs and the PostgreSQL cluster of a script run (chaos, bench): everything
 * started here is stopped on exit, whatever the exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stderr logger with a tag and the time of day. */
export const logger =
  (tag: string) =>
  (msg: string): void =>
    void process.stderr.write(`[${tag} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
const pgClusters = new Map<string, { bin: string; dataDir: string }>();
let cleanedUp = false;
let keepDirs = false;
let log: (msg: string) => void = logger('stack');

export function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, prefix));
  tempDirs.push(dir);
  return dir;
}

export const asRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root: as root, run its binaries as `postgres`. */
export function pgCommand(bin: string, argv: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...argv]] : [bin, argv];
}

/** A cluster to stop (immediately) at exit; `release` once it was stopped on purpose. */
export const trackPgCluster = (cluster: { bin: string; dataDir: string }) => pgClusters.set(cluster.dataDir, cluster);
export const releasePgCluster = (dataDir: string) => pgClusters.delete(dataDir);

export function cleanupSync(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) child.kill('SIGKILL');
  for (const cluster of pgClusters.values()) {
    const [cmd, argv] = pgCommand(join(cluster.bin, 'pg_ctl'), ['-D', cluster.dataDir, '-m', 'immediate', 'stop']);
    // Synchronous on purpose: this also runs from process.on('exit').
    spawnSync(cmd, argv, { stdio: 'ignore', timeout: 20_000 });
  }
  if (keepDirs) {
    log(`kept ${tempDirs.join(' ')}`);
    return;
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/** Stops everything at exit and on SIGINT/SIGTERM/SIGHUP; `keep` leaves the temp dirs (logs) behind. */
export function installCleanup(opts: { keep: boolean; log: (msg: string) => void }): void {
  keepDirs = opts.keep;
  log = opts.log;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      cleanupSync();
      process.exit(130);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => ok(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Set by whoever stops it on purpose: an exit without it is a crash. */
  planned: boolean;
  logFile: string;
}

export function startProcess(name: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv, logFile: string): Proc {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Both into one file: neither may end it while the other still writes.
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  children.add(child);
  const exited = new Promise<number | null>((ok) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      out.end();
      ok(code ?? (signal ? -1 : null));
    }),
  );
  return { name, child, exited, planned: false, logFile };
}

export function logTail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' ⏎ ').slice(-1500);
  } catch {
    return '(no log)';
  }
}

export async function stopProcess(p: Proc, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  p.planned = true;
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Resolves once `text` shows in the process's output; rejects if it exits first. */
export function waitForOutput(p: Proc, text: string, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${p.name}: no "${text}" within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4096);
      if (seen.includes(text)) {
        clearTimeout(timer);
        p.child.stdout!.off('data', onData);
        ok();
      }
    };
    p.child.stdout!.on('data', onData);
    void p.exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${p.name} exited (${code}) before "${text}"`));
    });
  });
}

/** Resolves once GET `url` answers 2xx; rejects if the process exits first or after `timeoutMs`. */
export async function waitForHttp(p: Proc, url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}): ${logTail(p.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`${p.name}: ${url} not up within ${timeoutMs} ms: ${logTail(p.logFile)}`);
    await sleep(200);
  }
}
