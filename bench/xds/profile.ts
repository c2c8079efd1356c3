/** A CPU profile (`.cpuprofile`, V8's format) summed by self time, and a sampling heap profile summed by bytes allocated: per module or file, and per function. */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: an npm package, a node: module, a sluice file, or V8's own buckets. */
function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:');
  if (url.includes('/dist/')) return `sluice ${url.replace(/.*\/dist\//, '')}`;
  return functionName || url || '(native)';
}

/** The `top` heaviest areas and functions by self time, as printable lines with shares of the busy (non-idle) time. */
export function summarize(p: CpuProfile, top = 12): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    // Idle time, and the inspector's own `dispatch` (handing the profile over at Profiler.stop), are not the server's work.
    if (!n || n.callFrame.functionName === '(idle)' || (n.callFrame.functionName === 'dispatch' && n.callFrame.url === '')) continue;
    busy += us;
    const a = area(n);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const f = `${n.callFrame.functionName || '(anonymous)'} (${a}:${n.callFrame.lineNumber + 1})`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
  return [`busy ${(busy / 1000).toFixed(0)} ms sampled; by area:`, ...lines(areas), 'by function (self time):', ...lines(fns)];
}

interface HeapNode {
  readonly callFrame: ProfileNode['callFrame'];
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

/** `HeapProfiler.stopSampling`'s profile (sampled with the objects the GC collected meanwhile: all allocations, not only live ones). */
export interface HeapProfile {
  readonly head: HeapNode;
}

/** The `top` areas and functions by bytes allocated (sampled), as printable lines with shares of the total. */
export function summarizeHeap(p: HeapProfile, top = 12): string[] {
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode): void => {
    if (n.selfSize > 0) {
      total += n.selfSize;
      const a = area({ id: 0, callFrame: n.callFrame });
      areas.set(a, (areas.get(a) ?? 0) + n.selfSize);
      const f = `${n.callFrame.functionName || '(anonymous)'} (${a}:${n.callFrame.lineNumber + 1})`;
      fns.set(f, (fns.get(f) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c);
  };
  walk(p.head);
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, b]) => `  ${((100 * b) / total).toFixed(1).padStart(5)}%  ${(b / 1e6).toFixed(1).padStart(6)} MB  ${k}`);
  return [`${(total / 1e6).toFixed(1)} MB allocated (sampled); by area:`, ...lines(areas), 'by function (self):', ...lines(fns)];
}
