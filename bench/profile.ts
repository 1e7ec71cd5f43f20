/** The top of a V8 CPU profile (`node --cpu-prof`): self time by function and by package, in % of samples. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export function summarizeProfile(file: string, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.replace(/^file:\/\//, '');
    const nm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1];
    const area =
      nm ?? (where.includes('/dist/') ? `service:${where.split('/dist/')[1]!.split('/')[0]}` : where || functionName);
    fn.set(
      `${functionName || '(anonymous)'} ${basename(where)}:${lineNumber}`,
      (fn.get(`${functionName || '(anonymous)'} ${basename(where)}:${lineNumber}`) ?? 0) + 1,
    );
    pkg.set(area, (pkg.get(area) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1)}% ${k}`);
  return { file: basename(file), samples: total, byPackage: rank(pkg), byFunction: rank(fn) };
}
