import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Gives every thread of a process a nice value. Linux keeps one per thread, and `os.setPriority(pid)` sets only
 * the main thread's: a Node process's garbage-collector and worker threads would stay at the priority it started
 * with. Threads started later take the value of the thread that starts them, so call it again once the process
 * has started the threads it starts with (the callers do when it reports ready).
 */
export function niceEveryThread(pid: number, nice: number): void {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return setPriority(pid, nice); // no /proc (not Linux): the main thread is what can be set
  }
  for (const thread of threads) {
    try {
      setPriority(Number(thread), nice);
    } catch {
      // the thread has ended
    }
  }
}
