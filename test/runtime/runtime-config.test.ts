// The runtime configuration: typed params in the catalog's units, defaults from the catalog,
// env(...) read at build time, and the wiring of sources, selectors, interceptors and groups.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configsOf } from './helpers.js';

describe('runtime config', () => {
  it('types and converts the quickstart', () => {
    const [c] = configsOf(readFileSync('examples/quickstart.flow', 'utf8'));
    expect(c!.agent).toBe('quickstart');
    const lines = c!.sources[0]!;
    expect(lines).toMatchObject({ name: 'lines', kind: 'netcat', channels: ['to_console', 'to_files'] });
    expect(lines.params).toEqual({ bind: '127.0.0.1', port: 44444, 'max-line-length': 4096, 'ack-every-event': true, encoding: 'utf-8' });
    expect(lines.selector).toEqual({ kind: 'replicating', params: {} });
    expect(lines.interceptors).toEqual([{ name: expect.any(String), kind: 'timestamp', params: { headerName: 'timestamp', preserveExisting: false } }]);
    const mem = c!.channels.find((x) => x.name === 'to_console')!;
    expect(mem.params).toEqual({ capacity: 10000, transactionCapacity: 100, 'keep-alive': 3, byteCapacityBufferPercentage: 20 });
    const files = c!.sinks.find((x) => x.name === 'files')!;
    expect(files.channel).toBe('to_files');
    // 5m in the catalog's unit (seconds), defaults filled, the serializer's own options too.
    expect(files.params).toMatchObject({
      'sink.directory': 'out/quickstart',
      'sink.rollInterval': 300,
      'sink.batchSize': 100,
      'sink.pathManager': 'DEFAULT',
      'sink.serializer': 'TEXT',
      'sink.serializer.appendNewline': true,
    });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('resolves env(), sizes and lists, selectors and sink groups', () => {
    const [c] = configsOf(
      `agent a {
        source s : multiport_syslogtcp { ports = [env("P1"), "5141"], eventSize = 4KB }
        channel hot : memory { capacity = env("CAP", "500"), byteCapacity = 1MB }
        channel cold : memory
        sink k1 : null
        sink k2 : null
        sink k3 : logger
        s | regex_extractor { regex = r"(\\w+)", serializers = [s1], serializers.s1.name = "word" }
          -> route header "level" { "ERROR" -> hot, cold?; default -> cold }
        hot -> failover { k1: 10, k2: 5 } with { maxpenalty = 2s }
        cold -> k3
      }`,
      { P1: '5140', CAP: '2000' },
    );
    const s = c!.sources[0]!;
    expect(s.params.ports).toEqual(['5140', '5141']);
    expect(s.params.eventSize).toBe(4096);
    expect(s.selector).toEqual({ kind: 'multiplexing', params: { header: 'level', 'mapping.ERROR': ['hot'], 'optional.ERROR': ['cold'], default: ['cold'] } });
    expect(s.interceptors[0]!.params).toMatchObject({ regex: '(\\w+)', serializers: ['s1'], 'serializers.s1.name': 'word', 'serializers.s1.type': 'DEFAULT' });
    expect(c!.channels[0]!.params).toMatchObject({ capacity: 2000, byteCapacity: 1048576 });
    expect(c!.sinkGroups).toEqual([{ name: expect.any(String), sinks: ['k1', 'k2'], processor: { kind: 'failover', params: { 'priority.k1': 10, 'priority.k2': 5, maxpenalty: 2000 } } }]);
  });
});
