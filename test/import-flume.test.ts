// Import → build keeps what real Flume 1.11 runs, judged by Flume's own loader (ConfigCheck,
// test/peers/README.md): per rule with configs written for it, and over the shared corpus.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importRoundTrip, importRoundTrips, type RoundTrip } from './helpers/flume-meaning.js';

/** Every agent of the original runs the same after import → build, and the import compiles. */
function expectSameRun(t: RoundTrip): void {
  expect(t.compileErrors).toEqual([]);
  for (const a of t.agents) expect(a.after, `agent ${a.agent}\n${t.flow}`).toEqual(a.before);
}

const netcat = (agent = 'a1') => [
  `${agent}.sources = r1`,
  `${agent}.channels = c1`,
  `${agent}.sinks = k1`,
  `${agent}.sources.r1.type = netcat`,
  `${agent}.sources.r1.bind = 127.0.0.1`,
  `${agent}.sources.r1.port = 44444`,
  `${agent}.sources.r1.channels = c1`,
  `${agent}.channels.c1.type = memory`,
  `${agent}.sinks.k1.type = logger`,
  `${agent}.sinks.k1.channel = c1`,
];

describe('interceptor chains are the source\'s `interceptors` list', () => {
  it('an interceptor that is configured but not listed stays out of the chain', () => {
    const t = importRoundTrip([
      ...netcat(),
      'a1.sources.r1.interceptors = ts',
      'a1.sources.r1.interceptors.ts.type = timestamp',
      'a1.sources.r1.interceptors.drop.type = regex_filter',
      'a1.sources.r1.interceptors.drop.regex = .*',
      'a1.sources.r1.interceptors.drop.excludeEvents = true',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors.map((i) => i.class)).toEqual(['org.apache.flume.interceptor.TimestampInterceptor']);
    expect(t.flow).toContain('// interceptor drop of source r1 is not imported');
  });

  it('an interceptor listed twice runs twice, in list order', () => {
    const t = importRoundTrip([
      ...netcat(),
      'a1.sources.r1.interceptors = twice ts twice',
      'a1.sources.r1.interceptors.twice.type = search_replace',
      'a1.sources.r1.interceptors.twice.searchPattern = a',
      'a1.sources.r1.interceptors.twice.replaceString = aa',
      'a1.sources.r1.interceptors.ts.type = timestamp',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors.map((i) => i.class.replace(/.*\./, ''))).toEqual([
      'SearchAndReplaceInterceptor',
      'TimestampInterceptor',
      'SearchAndReplaceInterceptor',
    ]);
  });

  it('a source with no list runs no interceptor, whatever is configured', () => {
    const t = importRoundTrip([...netcat(), 'a1.sources.r1.interceptors.h.type = host']);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors).toEqual([]);
  });
});

describe('channel selectors', () => {
  it('`selector.optional` naming something that is not a channel of the source is kept as written', () => {
    const t = importRoundTrip([
      'a1.sources = r1',
      'a1.channels = c1 c2',
      'a1.sinks = k1 k2',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.port = 44444',
      'a1.sources.r1.channels = c1 c2',
      'a1.sources.r1.selector.optional = c2 nope',
      'a1.channels.c1.type = memory',
      'a1.channels.c2.type = memory',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
      'a1.sinks.k2.type = logger',
      'a1.sinks.k2.channel = c2',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.selector.props).toEqual({ optional: 'c2 nope' });
  });

  it('an optional list of channels of the source becomes `c?` targets', () => {
    const t = importRoundTrip([...netcat().map((l) => l.replace('channels = c1', 'channels = c1 c2').replace('a1.channels = c1', 'a1.channels = c1 c2')), 'a1.channels.c2.type = memory', 'a1.sinks = k1 k2', 'a1.sinks.k2.type = null', 'a1.sinks.k2.channel = c2', 'a1.sources.r1.selector.optional = c2']);
    expectSameRun(t);
    expect(t.flow).toContain('r1 -> c1, c2?');
  });
});

/** The shared corpus of real flume.properties (beside the clone on CI; never copied into the project). */
function corpusDir(): string | undefined {
  for (const d of [process.env.FLOWC_CORPUS, '../shared/corpus', '/work/shared/corpus']) if (d && existsSync(resolve(d))) return resolve(d);
  return undefined;
}

const corpus = corpusDir();
describe.runIf(corpus)('the shared corpus', () => {
  it('≤ 2% of files change what Flume runs after import → build, and every import compiles', () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.(properties|template|\d+)$/.test(e.name) ? [join(d, e.name)] : []));
    const files = walk(corpus!);
    expect(files.length).toBeGreaterThan(50);
    const trips = importRoundTrips(files);
    const changed: string[] = [];
    trips.forEach((t, i) => {
      if (t.compileErrors.length > 0) changed.push(`${files[i]}: the imported .flow does not compile: ${t.compileErrors.join('; ')}`);
      for (const a of t.agents) {
        if (JSON.stringify(a.after) !== JSON.stringify(a.before)) changed.push(`${files[i]} (agent ${a.agent}):\n  before ${JSON.stringify(a.before)}\n  after  ${JSON.stringify(a.after)}`);
      }
    });
    expect(changed.length / files.length, changed.join('\n')).toBeLessThanOrEqual(0.02);
  }, 300_000);
});
