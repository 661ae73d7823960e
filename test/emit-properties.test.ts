// The properties target, end to end on every example: the output matches its golden file,
// and an independent reading of it finds nothing that Flume would drop or ignore.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitProperties } from '../compiler/emit/properties.js';
import { runtimeConfigs } from '../compiler/emit/runtime-config.js';
import { compileText } from '../compiler/program.js';
import { parseProperties } from '../compiler/properties/reader.js';
import { readFlumeConfig } from '../compiler/flume/read-config.js';
import { expectBaseline } from './helpers/baseline.js';
import { unacceptedKeys } from './helpers/flume-keys.js';

const examples = readdirSync('examples').filter((f) => f.endsWith('.flow')).sort();

describe('properties target on the examples', () => {
  it('covers at least 8 examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of examples) {
    describe(name, () => {
      const path = join('examples', name);
      const result = compileText(readFileSync(path, 'utf8'), path);

      it('checks without errors', () => {
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      });

      for (const file of emitProperties(result.program)) {
        it(`emits ${file.name} as in its golden file`, () => {
          expectBaseline(join('test/golden/properties', name.replace(/\.flow$/, ''), file.name), file.text);
        });

        it(`emits ${file.name} with only keys Flume accepts`, () => {
          expect(unacceptedKeys(file.text)).toEqual([]);
          expect(parseProperties(file.text).problems).toEqual([]);
        });

        it(`emits ${file.name} that Flume loads with no error and no dropped component`, () => {
          const config = readFlumeConfig(file.text, file.name);
          expect(config.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
          const inactive = config.agents.flatMap((a) =>
            [a, ...a.sources, ...a.channels, ...a.sinks, ...a.sinkgroups].filter((c) => !c.active).map((c) => `${c.name}: ${c.dropReason}`),
          );
          expect(inactive).toEqual([]);
          expect(config.agents.length).toBe(1);
        });
      }
    });
  }
});

describe('flowc-only settings', () => {
  const text = `agent a {
  source s : netcat { bind = "127.0.0.1"  port = 44444 }
  channel c : memory {}
  sink k : hdfs {
    hdfs { path = "hdfs://nn:8020/logs/%Y"  webhdfsUrl = "http://nn:50070"  fileType = DataStream }
  }
  s -> c -> k
}
`;
  const result = compileText(text, 'flowc-only.flow');

  it('are checked like any property, and left out of flume.properties', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [file] = emitProperties(result.program);
    expect(file!.text).toContain('a.sinks.k.hdfs.path = hdfs://nn:8020/logs/%Y');
    expect(file!.text).not.toContain('webhdfsUrl');
    expect(file!.text).not.toContain('50070');
    expect(unacceptedKeys(file!.text)).toEqual([]);
  });

  it('reach the runtime', () => {
    const [config] = runtimeConfigs(result.program);
    const sink = config!.config!.sinks.find((s) => s.name === 'k');
    expect(sink!.params['hdfs.webhdfsUrl']).toBe('http://nn:50070');
  });
});
