// `flowc import`: flume.properties → formatted .flow, for one file or a folder of them.
import type { Command } from 'commander';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { formatFlow } from '../../compiler/format/printer.js';
import type { Category } from '../../compiler/catalog/types.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { ConfigComponent, FlumeConfigFile } from '../../compiler/flume/config.js';
import { resolveFlumeType } from '../../compiler/flume/read-config-kinds.js';
import { decodeConfigText, readFlumeConfig } from '../../compiler/flume/read-config.js';
import { importConfig } from '../../compiler/import/import.js';
import { writeFileAtomic } from '../../compiler/util/atomic-write.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { describeFsError, MAX_INPUT_BYTES } from '../inputs.js';
import { Reporter, type Format } from '../report.js';
import { formatOption } from './check-build.js';

interface ImportOpts {
  out?: string;
  agent?: string;
  format: Format;
}

export function registerImport(program: Command, version: string): void {
  program
    .command('import')
    .description('convert flume.properties files to .flow, keeping every line (inactive ones as comments)')
    .argument('<path>', 'a .properties file, or a folder of them')
    .option('-o, --out <path>', 'output .flow file (or folder, for a folder input); default: standard output for a file')
    .option('--agent <name>', 'import only this agent')
    .addOption(formatOption())
    .version(version, '-V, --version')
    .exitOverride()
    .action((path: string, opts: ImportOpts) => {
      process.exitCode = runImport(path, opts);
    });
}

function runImport(path: string, opts: ImportOpts): number {
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    process.stderr.write(`error[FLOW090]: ${describeFsError(e, path)}\n`);
    return EXIT_USAGE;
  }
  if (!stat.isDirectory()) return importOne(path, opts.out, opts, true);
  const files = findProperties(path);
  if (files.length === 0) {
    process.stderr.write(`error[FLOW090]: the folder \`${path}\` contains no .properties files\n`);
    return EXIT_USAGE;
  }
  const outDir = opts.out ?? path;
  const tty = process.stderr.isTTY === true;
  let worst = EXIT_OK;
  files.forEach((file, i) => {
    if (tty) process.stderr.write(`\r\u001b[2K[${i + 1}/${files.length}] ${relative(path, file)}`);
    const target = join(outDir, relative(path, file)).replace(/\.properties$|\.template$/, '') + '.flow';
    if (tty) process.stderr.write('\r\u001b[2K');
    worst = Math.max(worst, importOne(file, target, opts, false));
  });
  if (tty) process.stderr.write(`imported ${files.length} file${files.length === 1 ? '' : 's'}\n`);
  return worst;
}

function findProperties(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...findProperties(full));
    else if (/\.properties$|\.template$/.test(entry.name)) out.push(full);
  }
  return out;
}

function importOne(path: string, out: string | undefined, opts: ImportOpts, single: boolean): number {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_INPUT_BYTES) {
      process.stderr.write(`error[FLOW090]: \`${path}\` is larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MB flowc reads\n`);
      return EXIT_USAGE;
    }
    bytes = readFileSync(path);
  } catch (e) {
    process.stderr.write(`error[FLOW090]: ${describeFsError(e, path)}\n`);
    return EXIT_USAGE;
  }
  if (bytes.includes(0)) {
    process.stderr.write(`error[FLOW090]: \`${path}\` is not a text file (it contains binary data)\n`);
    return EXIT_USAGE;
  }
  const config = readFlumeConfig(bytes, path);
  const reporter = new Reporter(opts.format, process.stderr);
  const sourceText = decodeConfigText(bytes);
  reporter.addFile(path, sourceText, [...config.diagnostics, ...customClassWarnings(config, sourceText)]);
  if (opts.agent && !config.agents.some((a) => a.name === opts.agent)) {
    reporter.addProblem({ path, message: `\`${path}\` has no agent named \`${opts.agent}\``, help: `agents in it: ${config.agents.map((a) => a.name).join(', ') || 'none'}` });
    reporter.print();
    return EXIT_ERRORS;
  }
  if (config.agents.length === 0) {
    reporter.addProblem({ path, message: `\`${path}\` defines no Flume agent (no key looks like \`<agent>.sources\`, \`<agent>.channels\` ...)`, help: 'is this a flume.properties file?' });
    reporter.print();
    return EXIT_ERRORS;
  }
  const target = out ?? '-';
  const flow = importConfig(config, target === '-' ? basename(path).replace(/\.\w+$/, '.flow') : target, opts.agent ? { agent: opts.agent } : {});
  const text = formatFlow(flow);
  if (reporter.diagnostics.length > 0) reporter.print();
  // Errors are what Flume drops or cannot read: the .flow is still written (nothing of the
  // original is lost), and the exit code says it needs fixing, as `check` does.
  const status = reporter.errorCount > 0 ? EXIT_ERRORS : EXIT_OK;
  if (target === '-' && single) {
    process.stdout.write(text);
    return status;
  }
  try {
    writeFileAtomic(target, text);
  } catch (e) {
    process.stderr.write(`error[FLOW090]: cannot write \`${target}\`: ${describeFsError(e, dirname(target)).replace(/^cannot read `[^`]*`: /, '')}\n`);
    return EXIT_USAGE;
  }
  if (!process.stderr.isTTY || single) process.stderr.write(`wrote ${target}\n`);
  return status;
}

/** Custom classes pass through untouched; say so, since flowc cannot check them. */
function customClassWarnings(config: FlumeConfigFile, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (line: number, col: number) => (lineStarts[line - 1] ?? 0) + col - 1;
  const warn = (category: Category, what: string, c: ConfigComponent) => {
    if (!c.active || !c.type || !c.typeLine || resolveFlumeType(category, c.type).status !== 'custom') return;
    const line = c.typeLine;
    out.push({
      severity: 'warning',
      code: 'FLOW141',
      message: `${what} \`${c.name}\` is a custom class (\`${c.type}\`): its properties are passed through unchecked`,
      span: {
        file: config.path,
        start: { line: line.valueLine, col: line.valueCol, offset: offset(line.valueLine, line.valueCol) },
        end: { line: line.valueLine, col: line.valueCol + c.type.length, offset: offset(line.valueLine, line.valueCol + c.type.length) },
      },
      label: 'custom class',
    });
  };
  for (const agent of config.agents.filter((a) => a.active)) {
    for (const s of agent.sources) {
      warn('source', 'source', s);
      for (const i of s.interceptors) warn('interceptor', 'interceptor', i);
    }
    for (const c of agent.channels) warn('channel', 'channel', c);
    for (const k of agent.sinks) warn('sink', 'sink', k);
  }
  return out;
}
