// Reads the files named on the command line: folders are searched for .flow files, and
// anything that is not a readable text file gets a clear message instead of a stack trace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

export type InputFile = { path: string; text: string };
export type InputProblem = { path: string; message: string; help?: string };

export function collectInputs(paths: string[], extension = '.flow'): { files: InputFile[]; problems: InputProblem[] } {
  const files: InputFile[] = [];
  const problems: InputProblem[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch (e) {
      problems.push({ path, message: describeFsError(e, path) });
      continue;
    }
    if (stat.isDirectory()) {
      const found = findFiles(path, extension, problems);
      if (found.length === 0) problems.push({ path, message: `the folder \`${path}\` contains no ${extension} files` });
      for (const f of found) readInput(f, files, problems);
    } else {
      readInput(path, files, problems);
    }
  }
  return { files, problems };
}

function findFiles(dir: string, extension: string, problems: InputProblem[]): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ path: dir, message: describeFsError(e, dir) });
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(full, extension, problems));
    else if (entry.name.endsWith(extension)) out.push(full);
  }
  return out;
}

function readInput(path: string, files: InputFile[], problems: InputProblem[]): void {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_INPUT_BYTES) {
      problems.push({
        path,
        message: `\`${path}\` is ${(size / 1024 / 1024).toFixed(1)} MB, larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MB flowc reads`,
        help: 'split it into several files',
      });
      return;
    }
    bytes = readFileSync(path);
  } catch (e) {
    problems.push({ path, message: describeFsError(e, path) });
    return;
  }
  const text = decodeText(bytes);
  if (text === undefined) {
    problems.push({ path, message: `\`${path}\` is not a text file (it contains binary data)`, help: 'check the path; .flow files are UTF-8 text' });
    return;
  }
  files.push({ path, text });
}

/** UTF-8 text without NUL bytes, BOM removed; undefined for binary data. */
export function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export function describeFsError(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot read \`${path}\`: no such file or folder`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read \`${path}\`: permission denied`;
    case 'EISDIR':
      return `cannot read \`${path}\`: it is a folder`;
    case 'ENOTDIR':
      return `cannot read \`${path}\`: a part of the path is not a folder`;
    default:
      return `cannot read \`${path}\`: ${(e as Error)?.message ?? String(e)}`;
  }
}
