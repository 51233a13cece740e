/*
 * Peak resident memory of a process and everything it starts, sampled from /proc while it runs (Linux; elsewhere the
 * figure is null). Each process's own peak is its VmHWM (the kernel's high-water mark, so a spike between two samples
 * still counts); the tree's figure is the sum of the peaks of every process seen in it. With one process (bin/run.js,
 * `sf` itself) that is exactly its VmHWM; with several it is an upper bound (their peaks need not coincide).
 *
 *   const sampler = samplePeakRss(child.pid);
 *   child.on('exit', () => sampler.stop());
 *   sampler.peak(); // { bytes, processes } or null
 */
import { readdirSync, readFileSync } from 'node:fs';

export type PeakRss = {
  /** Sum over the tree's processes of each one's peak RSS. */
  bytes: number;
  /** How many processes the tree had over its life (the root included). */
  processes: number;
};

export type PeakRssSampler = {
  /** Takes a last sample and stops sampling. */
  stop(): void;
  peak(): PeakRss | null;
};

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // the process has exited, or there is no /proc
  }
}

/** The pid and its descendants now (/proc/<pid>/task/<tid>/children lists the children each thread started). */
function tree(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tasks) {
      for (const child of (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ')) {
        if (/^\d+$/.test(child)) queue.push(Number(child));
      }
    }
  }
  return found;
}

export function samplePeakRss(rootPid: number | undefined, intervalMs = 20): PeakRssSampler {
  const peaks = new Map<number, number>();
  const sample = (): void => {
    if (rootPid === undefined) return;
    for (const pid of tree(rootPid)) {
      const kb = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
      if (kb) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(kb) * 1024));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): void {
      sample();
      clearInterval(timer);
    },
    peak(): PeakRss | null {
      if (peaks.size === 0) return null;
      return { bytes: [...peaks.values()].reduce((a, b) => a + b, 0), processes: peaks.size };
    },
  };
}
