// `flowc graph`: draws a .flow file as svg, html, Graphviz dot, Mermaid or the graph model
// as JSON. The file is checked first: a flow with errors is not drawn, since the picture
// would show a flow Flume would not run.
import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { buildGraph, formatForPath, graphExtensions, graphFormats, PngUnavailable, renderGraph, selectAgent, type GraphFormat } from '../../compiler/graph/index.js';
import { writeFileAtomic } from '../../compiler/util/atomic-write.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { compileOneFile } from '../compile-one.js';
import { Reporter } from '../report.js';

interface GraphOptions {
  format?: GraphFormat;
  out?: string;
  agent?: string;
}

export function registerGraph(program: Command, version: string): void {
  program
    .command('graph')
    .description('draw the flow of a .flow file (svg, png, html, dot, mermaid, or the graph as json)')
    .argument('<file>', 'a .flow file')
    .addOption(new Option('-f, --format <format>', 'what to draw; by default taken from the -o file name, else svg').choices(graphFormats))
    .option('-o, --out <file>', 'write to this file (atomically) instead of standard output')
    .option('--agent <name>', 'draw only this agent')
    .version(version, '-V, --version')
    .exitOverride()
    .action(async (file: string, opts: GraphOptions) => {
      process.exitCode = await runGraph(file, opts);
    });
}

async function runGraph(file: string, opts: GraphOptions): Promise<number> {
  // Diagnostics go to stderr: stdout may be the drawing.
  const reporter = new Reporter('text', process.stderr);
  if (isFolder(file)) {
    reporter.addProblem({ path: file, message: `\`${file}\` is a folder; \`flowc graph\` draws one .flow file`, help: `name a file: \`flowc graph ${file}/app.flow\`` });
    reporter.print();
    return EXIT_USAGE;
  }
  const format = chooseFormat(opts, reporter);
  if (format === undefined) {
    reporter.print();
    return EXIT_USAGE;
  }
  const compiled = compileOneFile(file, 'graph', reporter, 'nothing was drawn');
  if (typeof compiled === 'number') return compiled;
  const { input, result } = compiled;
  let graph = buildGraph(result.program);
  if (opts.agent !== undefined) {
    const selected = selectAgent(graph, opts.agent);
    if (!selected) {
      const names = graph.agents.map((a) => `\`${a.name}\``).join(', ');
      reporter.addProblem({ path: input.path, message: `\`${input.path}\` has no agent named \`${opts.agent}\``, help: names ? `its agents are ${names}` : 'the file declares no agent' });
      reporter.print();
      return EXIT_USAGE;
    }
    graph = selected;
  }
  let drawing: string | Buffer;
  try {
    drawing = await renderGraph(graph, format);
  } catch (e) {
    if (!(e instanceof PngUnavailable)) throw e;
    reporter.addProblem({ path: opts.out ?? input.path, message: e.message, help: e.help });
    reporter.print();
    process.stderr.write('nothing was drawn\n');
    return EXIT_USAGE;
  }
  const text = drawing;
  if (reporter.diagnostics.length > 0) reporter.print();
  if (opts.out === undefined) {
    process.stdout.write(text);
    return EXIT_OK;
  }
  try {
    writeFileAtomic(opts.out, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a part of the path is not a folder' : err.code === 'EISDIR' ? 'it is a folder' : err.message;
    process.stderr.write(`error[FLOW090]: cannot write \`${opts.out}\`: ${why}\n`);
    return EXIT_USAGE;
  }
  process.stdout.write(`wrote ${opts.out}\n`);
  return EXIT_OK;
}

/**
 * The format: `--format`, else the `-o` file's extension, else svg. An extension that names no
 * format is refused rather than given svg under a name that says otherwise; so is a PNG for a
 * terminal.
 */
function chooseFormat(opts: GraphOptions, reporter: Reporter): GraphFormat | undefined {
  const fromPath = opts.out !== undefined ? formatForPath(opts.out) : undefined;
  if (opts.format === undefined && fromPath === 'unknown') {
    reporter.addProblem({
      path: opts.out!,
      message: `\`flowc graph\` cannot tell what to draw from the name \`${opts.out}\`: it knows ${graphExtensions.join(', ')}`,
      help: `name the file after its format (\`graph.svg\`, \`graph.png\`), or give one: \`--format ${graphFormats.join('|')}\``,
    });
    return undefined;
  }
  const format = opts.format ?? (fromPath === 'unknown' ? undefined : fromPath) ?? 'svg';
  if (format === 'png' && opts.out === undefined && process.stdout.isTTY) {
    reporter.addProblem({ path: '-', message: 'a PNG is binary and is not written to a terminal', help: 'write it to a file: `-o graph.png`, or redirect: `> graph.png`' });
    return undefined;
  }
  return format;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
