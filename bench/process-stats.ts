/** Readings of a process from /proc: resident memory, CPU time, and who was busy during a phase. */
import { readFileSync } from 'node:fs';
import type { Proc } from '../scripts/stack/processes.js';

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Resident memory of a process, from /proc/<pid>/status (VmRSS; VmHWM is the peak). */
export function rssMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds each process spent in `fn`: who is the busy one. */
export async function cpuDuring<T>(procs: Record<string, Proc | undefined>, fn: () => Promise<T>) {
  const pids = Object.entries(procs).filter((e): e is [string, Proc] => Boolean(e[1]?.child.pid));
  const before = pids.map(([, p]) => cpuSeconds(p.child.pid!));
  const t0 = performance.now();
  const result = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu: Record<string, string> = {};
  pids.forEach(([name, p], k) => {
    const used = cpuSeconds(p.child.pid!) - before[k]!;
    cpu[name] = `${round(used, 1)} s (${Math.round((used / wall) * 100)} %)`;
  });
  return { result, cpu };
}
