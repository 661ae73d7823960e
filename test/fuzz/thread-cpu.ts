// CPU time of one thread of this process, read from Linux's /proc. The fuzz runner charges an
// input's time budget in CPU time of the worker thread that runs it, so that a machine shared
// with other jobs (where a thread may get a tenth of a core) does not turn slow-but-finite
// inputs into "hangs". Where /proc is missing (not Linux), callers fall back to wall time.
import { readFileSync, readlinkSync } from 'node:fs';

// Linux reports utime and stime in clock ticks of USER_HZ, which is 100 on every architecture
// Node runs on (the kernel's internal HZ may differ; /proc always uses USER_HZ).
const TICKS_PER_SECOND = 100;

/** The kernel's id of the calling thread (a worker calls this for itself), or -1 off Linux. */
export function currentThreadId(): number {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : -1;
  } catch {
    return -1;
  }
}

/** User + system CPU time of thread `tid` of this process, in ms (10 ms steps), or undefined. */
export function threadCpuMs(tid: number): number | undefined {
  if (tid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
