// `in_use.lock` in each directory of a file channel, so that a second agent on the same
// directories fails at once instead of corrupting the first one's logs. Node has no flock(),
// so the lock is a file created exclusively that names its owner: pid and the process's start
// time (from /proc, so that a recycled pid is not taken for the owner). A lock whose owner is
// gone (the agent was killed) is stale and taken over.
import { openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'in_use.lock';

/** Directories locked by this process, so two channels of one process also exclude each other. */
const held = new Set<string>();

function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number, started: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const now = startTime(pid);
  return now === '' || started === '' || now === started;
}

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
}

function tryCreate(path: string, owner: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, owner);
  } finally {
    closeSync(fd);
  }
  return true;
}

function lockOne(dir: string, what: string): void {
  if (held.has(dir)) throw new DirectoryLockedError(`${what} ${dir} is already in use by another channel of this process (${LOCK_FILE})`);
  const path = join(dir, LOCK_FILE);
  const owner = `${process.pid} ${startTime(process.pid)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, owner)) {
      held.add(dir);
      return;
    }
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pidText = '', started = ''] = text.trim().split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && alive(pid, started)) {
      throw new DirectoryLockedError(
        `${what} ${dir} is in use by another agent (process ${pid}, see ${path}); ` +
          'each file channel needs directories of its own: stop that agent or give this channel other directories',
      );
    }
    // Stale: move it aside atomically, so that of two agents taking it over only one removes it.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
      unlinkSync(aside);
    } catch {
      // another agent took it over first; try again
    }
  }
  throw new DirectoryLockedError(`${what} ${dir}: could not take ${path}; remove it if no agent uses the directory`);
}

/** Locks every directory; on failure releases those it locked and throws DirectoryLockedError. */
export function lockDirectories(dirs: { dir: string; what: string }[]): () => void {
  const done: string[] = [];
  try {
    for (const d of dirs) {
      lockOne(d.dir, d.what);
      done.push(d.dir);
    }
  } catch (e) {
    release(done);
    throw e;
  }
  return () => release(done);
}

function release(dirs: string[]): void {
  for (const dir of dirs) {
    held.delete(dir);
    try {
      unlinkSync(join(dir, LOCK_FILE));
    } catch {
      // gone already
    }
  }
}
