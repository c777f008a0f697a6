import { readdirSync, readFileSync } from 'node:fs';

/** Linux accounts CPU time in clock ticks of 1/100 s (USER_HZ, 100 on every Linux this runs on). */
const msPerTick = 10;

export interface ProcessCpu {
  pid: number;
  /** `node` or `java` (what /proc names the program). */
  command: string;
  /** User plus system CPU time so far, in ms, of every thread of the process. */
  cpuMs: number;
}

function readStat(pid: number): ProcessCpu | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(close + 2).split(' ');
    return { pid, command, cpuMs: (Number(fields[11]) + Number(fields[12])) * msPerTick };
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** A process and all its descendants, with the CPU time each has used so far. */
export function processTreeCpu(rootPid: number): ProcessCpu[] {
  const seen: ProcessCpu[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = readStat(pid);
    if (!stat) continue;
    seen.push(stat);
    queue.push(...childrenOf(pid));
  }
  return seen;
}
