import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog, findKind, findProperty, kindsOf } from '../compiler/catalog/index.js';
import { renderComponentsMarkdown } from '../compiler/catalog/render-docs.js';
import type { Category, ComponentSpec, PropertySpec } from '../compiler/catalog/types.js';

const required: Record<Category, string[]> = {
  source: [
    'avro', 'thrift', 'exec', 'jms', 'spooldir', 'taildir', 'netcat', 'netcatudp', 'seq', 'syslogtcp',
    'multiport_syslogtcp', 'syslogudp', 'http', 'kafka',
  ],
  channel: ['memory', 'file', 'spillablememory', 'jdbc', 'kafka'],
  sink: [
    'null', 'logger', 'file_roll', 'hdfs', 'hive', 'avro', 'thrift', 'irc', 'elasticsearch', 'hbase', 'hbase2',
    'asynchbase', 'morphline_solr', 'kafka', 'http',
  ],
  interceptor: [
    'timestamp', 'host', 'static', 'remove_header', 'uuid', 'search_replace', 'regex_filter', 'regex_extractor',
    'morphline',
  ],
  selector: ['replicating', 'multiplexing', 'load_balancing'],
  sinkProcessor: ['default', 'failover', 'load_balance'],
  serializer: ['text', 'header_and_text', 'avro_event'],
  configFilter: ['env', 'hadoop', 'external'],
};
const categories = Object.keys(required) as Category[];

/** Kinds Flume knows only by class name: the emitters must write the class. */
const classNameOnly = new Set([
  'source/kafka',
  'channel/kafka',
  'sink/kafka',
  'interceptor/uuid',
  'interceptor/morphline',
  'serializer/hdfs_avro',
]);

const numeric = new Set(['int', 'long', 'double']);
const structural = new Set(['type', 'channels', 'channel', 'interceptors', 'sinks']);

function spec(category: Category, kind: string): ComponentSpec {
  const s = kindsOf(category).find((k) => k.kind === kind);
  if (!s) throw new Error(`no ${category} ${kind}`);
  return s;
}

function prop(category: Category, kind: string, name: string): PropertySpec {
  const p = spec(category, kind).properties.find((q) => q.name === name);
  if (!p) throw new Error(`no property ${name} on ${category} ${kind}`);
  return p;
}

function propertyNames(s: ComponentSpec): Set<string> {
  return new Set(s.properties.map((p) => p.name));
}

const allProperties: [ComponentSpec, PropertySpec][] = catalog.flatMap((s) => s.properties.map((p) => [s, p] as [ComponentSpec, PropertySpec]));
const where = (s: ComponentSpec, p?: PropertySpec) => `${s.category} ${s.kind}${p ? ` ${p.name}` : ''}`;

describe('docs/components.md', () => {
  it('is up to date with the catalog', () => {
    const onDisk = readFileSync(new URL('../docs/components.md', import.meta.url), 'utf8');
    expect(onDisk === renderComponentsMarkdown(), 'docs/components.md is stale: run `npm run build && npm run docs:components`').toBe(true);
  });

  it('has a section per category and a heading per kind', () => {
    const md = renderComponentsMarkdown();
    for (const s of catalog) expect(md).toContain(`### ${s.kind}\n`);
    expect(md).toContain('## Sources');
    expect(md).toContain('## Config filters');
  });
});

describe('kinds', () => {
  it('contains every standard Flume 1.11 kind', () => {
    for (const category of categories) {
      const kinds = kindsOf(category).map((k) => k.kind);
      for (const kind of required[category]) expect(kinds, `${category} ${kind}`).toContain(kind);
    }
  });

  it('puts each entry in the list of its own category', () => {
    expect(catalog.length).toBe(categories.reduce((n, c) => n + kindsOf(c).length, 0));
    for (const c of categories) for (const s of kindsOf(c)) expect(s.category).toBe(c);
  });

  it('uses unique, lower-case canonical kinds', () => {
    for (const c of categories) {
      const kinds = kindsOf(c).map((k) => k.kind);
      expect(new Set(kinds).size, c).toBe(kinds.length);
      for (const k of kinds) expect(k).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('resolves every kind by alias, upper-cased alias, class name and kind', () => {
    for (const c of categories) {
      for (const s of kindsOf(c)) {
        const alias = s.flumeAlias ?? s.kind;
        expect(findKind(c, alias), `${c} ${alias}`).toBe(s);
        expect(findKind(c, alias.toUpperCase()), `${c} ${alias.toUpperCase()}`).toBe(s);
        expect(findKind(c, alias.toLowerCase()), `${c} ${alias.toLowerCase()}`).toBe(s);
        expect(findKind(c, s.kind), `${c} ${s.kind}`).toBe(s);
        expect(findKind(c, s.className), `${c} ${s.className}`).toBe(s);
        expect(findKind(c, s.className.toLowerCase()), `${c} ${s.className} lower-cased`).toBe(s);
        for (const a of s.aliases) expect(findKind(c, a), `${c} ${a}`).toBe(s);
      }
    }
  });

  it('resolves Flume spellings seen in real configurations', () => {
    expect(findKind('source', 'TAILDIR')?.kind).toBe('taildir');
    expect(findKind('source', 'Taildir')?.kind).toBe('taildir');
    expect(findKind('channel', 'SPILLABLEMEMORY')?.kind).toBe('spillablememory');
    expect(findKind('channel', 'Memory')?.kind).toBe('memory');
    expect(findKind('sink', 'FILE_ROLL')?.kind).toBe('file_roll');
    expect(findKind('sink', 'org.apache.flume.sink.kafka.KafkaSink')?.kind).toBe('kafka');
    expect(findKind('interceptor', 'org.apache.flume.interceptor.TimestampInterceptor$Builder')?.kind).toBe('timestamp');
    expect(findKind('interceptor', 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder')?.kind).toBe('uuid');
    expect(findKind('sinkProcessor', 'LOAD_BALANCE')?.kind).toBe('load_balance');
    expect(findKind('serializer', 'HEADER_AND_TEXT')?.kind).toBe('header_and_text');
  });

  it('keeps categories apart and rejects unknown names', () => {
    expect(findKind('source', 'hdfs')).toBeUndefined();
    expect(findKind('sink', 'taildir')).toBeUndefined();
    expect(findKind('channel', 'org.apache.flume.sink.NullSink')).toBeUndefined();
    expect(findKind('source', 'nosuchkind')).toBeUndefined();
    expect(findKind('source', '')).toBeUndefined();
    expect(findKind('sink', 'avro')?.className).toBe('org.apache.flume.sink.AvroSink');
    expect(findKind('source', 'avro')?.className).toBe('org.apache.flume.source.AvroSource');
  });

  it('gives an alias to exactly the kinds Flume has one for', () => {
    for (const s of catalog) {
      const key = `${s.category}/${s.kind}`;
      if (classNameOnly.has(key)) expect(s.flumeAlias, key).toBeUndefined();
      else expect(s.flumeAlias, key).toBeDefined();
      if (s.flumeAlias !== undefined) {
        expect(s.flumeAlias.toLowerCase(), key).toBe(s.kind);
        expect(s.aliases, key).toContain(s.flumeAlias);
      }
    }
    expect(spec('source', 'taildir').flumeAlias).toBe('TAILDIR');
    expect(spec('channel', 'spillablememory').flumeAlias).toBe('SPILLABLEMEMORY');
  });

  it('has well-formed class names, Builders for interceptors and serializers', () => {
    for (const s of catalog) {
      expect(s.className, where(s)).toMatch(/^org\.apache\.flume(\.[a-z][a-zA-Z0-9]*)+\.[A-Z][A-Za-z0-9]*(\$Builder)?$/);
      if (s.category === 'interceptor' || s.category === 'serializer') expect(s.className, where(s)).toMatch(/\$Builder$/);
      else expect(s.className, where(s)).not.toMatch(/\$/);
    }
  });

  it('has a one-line doc for every kind and leaves runtime to the runtime', () => {
    for (const s of catalog) {
      expect(s.doc.trim().length, where(s)).toBeGreaterThan(10);
      expect(s.doc, where(s)).not.toMatch(/\n/);
      expect(s.runtime, where(s)).toBeUndefined();
    }
  });
});

describe('properties', () => {
  it('have unique names per kind and no structural keys', () => {
    for (const s of catalog) {
      const names = s.properties.map((p) => p.name);
      expect(new Set(names).size, where(s)).toBe(names.length);
      for (const n of names) {
        expect(structural.has(n), where(s) + ' ' + n).toBe(false);
        expect(n.startsWith('selector.') && s.category === 'source', where(s) + ' ' + n).toBe(false);
        expect(n.startsWith('interceptors'), where(s) + ' ' + n).toBe(false);
        expect(n.startsWith('processor.'), where(s) + ' ' + n).toBe(false);
      }
    }
  });

  it('use valid key syntax: dotted segments, <x> placeholders, * only at the end', () => {
    for (const [s, p] of allProperties) {
      const parts = p.name.split('.');
      parts.forEach((part, i) => {
        const ok = /^[A-Za-z][A-Za-z0-9_-]*$/.test(part) || /^<[a-z]+>$/.test(part) || (part === '*' && i === parts.length - 1 && i > 0);
        expect(ok, `${where(s, p)}: segment ${part}`).toBe(true);
      });
    }
  });

  it('have a one-line doc', () => {
    for (const [s, p] of allProperties) {
      expect(p.doc.trim().length, where(s, p)).toBeGreaterThan(5);
      expect(p.doc, where(s, p)).not.toMatch(/\n/);
      expect(p.doc, where(s, p)).toBe(p.doc.trim());
    }
  });

  it('give units only to numbers', () => {
    for (const [s, p] of allProperties) {
      if (p.unit) expect(numeric.has(p.type), where(s, p)).toBe(true);
    }
  });

  it('give a unit to every duration and size by name', () => {
    const durationName = /(timeout|interval|delay|penalty|millis|throttle|keep-alive|backoffsleep|maxbackoff)/i;
    for (const [s, p] of allProperties) {
      if (!numeric.has(p.type)) continue;
      if (durationName.test(p.name) && !/bytes/i.test(p.name)) expect(p.unit === 'seconds' || p.unit === 'milliseconds', where(s, p)).toBe(true);
      if (/bytes/i.test(p.name)) expect(p.unit, where(s, p)).toBe('bytes');
      if (/millis/i.test(p.name)) expect(p.unit, where(s, p)).toBe('milliseconds');
    }
  });

  it('have defaults of the declared type, inside their range and values', () => {
    for (const [s, p] of allProperties) {
      if (p.default === undefined) continue;
      const at = where(s, p);
      if (numeric.has(p.type)) {
        expect(typeof p.default, at).toBe('number');
        if (p.type !== 'double') expect(Number.isSafeInteger(p.default), at).toBe(true);
        if (p.type === 'int') expect(Math.abs(p.default as number), at).toBeLessThanOrEqual(2147483647);
        if (p.min !== undefined) expect(p.default as number, at).toBeGreaterThanOrEqual(p.min);
        if (p.max !== undefined) expect(p.default as number, at).toBeLessThanOrEqual(p.max);
      } else if (p.type === 'boolean') {
        expect(typeof p.default, at).toBe('boolean');
      } else {
        expect(typeof p.default, at).toBe('string');
      }
      if (p.type === 'enum') {
        const d = String(p.default);
        const inValues = p.values!.some((v) => (p.caseSensitive ? v === d : v.toLowerCase() === d.toLowerCase()));
        expect(inValues, `${at}: default ${d}`).toBe(true);
      }
    }
  });

  it('declare enum values exactly on enums', () => {
    for (const [s, p] of allProperties) {
      const at = where(s, p);
      if (p.type === 'enum') {
        expect(p.values && p.values.length > 0, at).toBe(true);
        const folded = p.values!.map((v) => (p.caseSensitive ? v : v.toLowerCase()));
        expect(new Set(folded).size, at).toBe(folded.length);
      } else {
        expect(p.values, at).toBeUndefined();
        expect(p.allowsClassName, at).toBeUndefined();
        expect(p.caseSensitive, at).toBeUndefined();
      }
    }
  });

  it('bound only numbers, with min <= max', () => {
    for (const [s, p] of allProperties) {
      if (p.min === undefined && p.max === undefined) continue;
      expect(numeric.has(p.type), where(s, p)).toBe(true);
      if (p.min !== undefined && p.max !== undefined) expect(p.min, where(s, p)).toBeLessThanOrEqual(p.max);
    }
  });

  it('give a list separator only to lists', () => {
    for (const [s, p] of allProperties) {
      if (p.listSeparator) expect(p.type, where(s, p)).toBe('list');
    }
  });

  it('bound ports and capacities', () => {
    for (const [s, p] of allProperties) {
      if (p.name === 'port' || p.name === 'hostname') continue;
      if (/(^|\.)port$/.test(p.name)) {
        expect(p.min !== undefined && p.min >= 0, where(s, p)).toBe(true);
        expect(p.max, where(s, p)).toBe(65535);
      }
    }
    for (const [s, p] of allProperties) {
      if (p.name === 'port') expect(p.max, where(s, p)).toBe(65535);
      if (/^(capacity|transactionCapacity|batchSize|batch-size|hdfs\.batchSize|sink\.batchSize|flumeBatchSize)$/.test(p.name) && !p.deprecated) {
        expect(p.min, where(s, p)).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('mark secrets as sensitive', () => {
    for (const [s, p] of allProperties) {
      if (/password$|secret|jaas/i.test(p.name)) expect(p.sensitive, where(s, p)).toBe(true);
      if (p.sensitive) expect(p.default, where(s, p)).toBeUndefined();
    }
  });

  it('say what to use instead when deprecated', () => {
    for (const [s, p] of allProperties) {
      if (p.deprecated !== undefined) expect(p.deprecated.trim().length, where(s, p)).toBeGreaterThan(5);
      if (p.guideName !== undefined) expect(p.guideName, where(s, p)).not.toBe(p.name);
    }
  });
});

describe('component facts', () => {
  it('refer to properties that exist, of the right type', () => {
    for (const s of catalog) {
      const names = propertyNames(s);
      const byName = (n: string) => s.properties.find((p) => p.name === n)!;
      if (s.batchSizeProperty) {
        expect(names.has(s.batchSizeProperty), where(s)).toBe(true);
        expect(['int', 'long'], where(s)).toContain(byName(s.batchSizeProperty).type);
      }
      for (const h of s.headers ?? []) {
        expect((h.header === undefined) !== (h.headerProperty === undefined), where(s)).toBe(true);
        if (h.headerProperty) expect(byName(h.headerProperty)?.type, `${where(s)} header ${h.headerProperty}`).toBe('string');
        if (h.when) {
          const w = byName(h.when.property);
          expect(w, `${where(s)} when ${h.when.property}`).toBeDefined();
          expect(typeof h.when.equals === 'boolean', where(s)).toBe(w.type === 'boolean');
        }
      }
      if (s.listens) {
        const l = s.listens;
        expect((l.portProperty === undefined) !== (l.portListProperty === undefined), where(s)).toBe(true);
        if (l.portProperty) expect(byName(l.portProperty)?.type, where(s)).toBe('int');
        if (l.portListProperty) expect(byName(l.portListProperty)?.type, where(s)).toBe('list');
        if (l.bindProperty) expect(byName(l.bindProperty)?.type, where(s)).toBe('string');
      }
      if (s.connects) {
        expect(byName(s.connects.hostProperty)?.required, where(s)).toBe(true);
        expect(byName(s.connects.portProperty)?.type, where(s)).toBe('int');
      }
      for (const d of s.exclusiveDirectoryProperties ?? []) expect(names.has(d), `${where(s)} ${d}`).toBe(true);
      for (const e of s.escapedProperties ?? []) expect(names.has(e), `${where(s)} ${e}`).toBe(true);
      if (s.localTimestampProperty) expect(byName(s.localTimestampProperty)?.type, where(s)).toBe('boolean');
    }
  });

  it('use source and sink facts only on sources and sinks', () => {
    for (const s of catalog) {
      if (s.batchSizeProperty) expect(['source', 'sink'], where(s)).toContain(s.category);
      if (s.listens || s.passesHeadersThrough) expect(s.category, where(s)).toBe('source');
      if (s.connects || s.escapedProperties || s.localTimestampProperty) expect(s.category, where(s)).toBe('sink');
      if (s.headers) expect(['source', 'interceptor'], where(s)).toContain(s.category);
    }
  });

  it('describe the servers, clients and batching of the standard kinds', () => {
    for (const k of ['avro', 'thrift', 'netcat', 'netcatudp', 'syslogtcp', 'syslogudp', 'multiport_syslogtcp', 'http']) {
      expect(spec('source', k).listens, k).toBeDefined();
    }
    expect(spec('source', 'multiport_syslogtcp').listens?.portListProperty).toBe('ports');
    expect(spec('sink', 'avro').connects).toEqual({ protocol: 'avro', hostProperty: 'hostname', portProperty: 'port' });
    expect(spec('sink', 'thrift').connects?.protocol).toBe('thrift');
    expect(spec('sink', 'hdfs').batchSizeProperty).toBe('hdfs.batchSize');
    expect(spec('sink', 'file_roll').batchSizeProperty).toBe('sink.batchSize');
    expect(spec('sink', 'kafka').batchSizeProperty).toBe('flumeBatchSize');
    expect(spec('sink', 'avro').batchSizeProperty).toBe('batch-size');
    for (const k of ['exec', 'spooldir', 'taildir', 'jms', 'kafka', 'seq', 'multiport_syslogtcp']) {
      expect(spec('source', k).batchSizeProperty, k).toBe('batchSize');
    }
    for (const k of ['avro', 'thrift', 'http', 'jms', 'kafka']) expect(spec('source', k).passesHeadersThrough, k).toBe(true);
    expect(spec('channel', 'file').exclusiveDirectoryProperties).toEqual(['checkpointDir', 'dataDirs', 'backupCheckpointDir']);
    expect(spec('source', 'spooldir').exclusiveDirectoryProperties).toEqual(['spoolDir']);
    expect(spec('sink', 'hdfs').escapedProperties).toContain('hdfs.path');
    expect(spec('sink', 'hdfs').localTimestampProperty).toBe('hdfs.useLocalTimeStamp');
    expect(spec('sink', 'hive').localTimestampProperty).toBe('useLocalTimeStamp');
    expect(spec('sink', 'kafka').escapedProperties).toEqual(['kafka.topic']);
  });

  it('name the headers interceptors and sources set', () => {
    expect(spec('interceptor', 'timestamp').headers).toEqual([{ headerProperty: 'headerName' }]);
    expect(prop('interceptor', 'timestamp', 'headerName').default).toBe('timestamp');
    expect(prop('interceptor', 'host', 'hostHeader').default).toBe('host');
    expect(prop('interceptor', 'uuid', 'headerName').default).toBe('id');
    expect(spec('interceptor', 'static').headers).toEqual([{ headerProperty: 'key' }]);
    expect(spec('interceptor', 'regex_extractor').headers).toBeUndefined();
    const syslog = spec('source', 'syslogtcp').headers!.map((h) => h.header);
    for (const h of ['timestamp', 'host', 'Facility', 'Severity', 'priority']) expect(syslog).toContain(h);
    expect(spec('source', 'spooldir').headers).toContainEqual({ headerProperty: 'fileHeaderKey', when: { property: 'fileHeader', equals: true } });
    expect(spec('source', 'spooldir').headers).toContainEqual({ headerProperty: 'basenameHeaderKey', when: { property: 'basenameHeader', equals: true } });
    expect(spec('source', 'taildir').headers).toContainEqual({ headerProperty: 'fileHeaderKey', when: { property: 'fileHeader', equals: true } });
    const kafka = spec('source', 'kafka').headers!;
    for (const h of ['timestamp', 'partition', 'offset', 'key']) expect(kafka).toContainEqual({ header: h });
    expect(spec('source', 'netcatudp').headers).toEqual([{ headerProperty: 'remoteAddress' }]);
  });
});

describe('units and separators that users write by hand', () => {
  const cases: [Category, string, string, PropertySpec['unit'], number | undefined][] = [
    ['channel', 'memory', 'keep-alive', 'seconds', 3],
    ['channel', 'memory', 'byteCapacity', 'bytes', undefined],
    ['channel', 'file', 'checkpointInterval', 'milliseconds', 30000],
    ['channel', 'file', 'maxFileSize', 'bytes', 1623195647],
    ['channel', 'file', 'minimumRequiredSpace', 'bytes', 524288000],
    ['channel', 'file', 'keep-alive', 'seconds', 3],
    ['channel', 'file', 'fsyncInterval', 'seconds', 5],
    ['channel', 'spillablememory', 'overflowTimeout', 'seconds', 3],
    ['channel', 'spillablememory', 'byteCapacity', 'bytes', undefined],
    ['channel', 'kafka', 'kafka.pollTimeout', 'milliseconds', 500],
    ['source', 'exec', 'restartThrottle', 'milliseconds', 10000],
    ['source', 'exec', 'batchTimeout', 'milliseconds', 3000],
    ['source', 'spooldir', 'pollDelay', 'milliseconds', 500],
    ['source', 'taildir', 'idleTimeout', 'milliseconds', 120000],
    ['source', 'taildir', 'writePosInterval', 'milliseconds', 3000],
    ['source', 'kafka', 'batchDurationMillis', 'milliseconds', 1000],
    ['source', 'syslogtcp', 'eventSize', 'bytes', 2500],
    ['sink', 'hdfs', 'hdfs.rollInterval', 'seconds', 30],
    ['sink', 'hdfs', 'hdfs.rollSize', 'bytes', 1024],
    ['sink', 'hdfs', 'hdfs.idleTimeout', 'seconds', 0],
    ['sink', 'hdfs', 'hdfs.callTimeout', 'milliseconds', 30000],
    ['sink', 'hdfs', 'hdfs.retryInterval', 'seconds', 180],
    ['sink', 'hive', 'callTimeout', 'milliseconds', 10000],
    ['sink', 'hive', 'heartBeatInterval', 'seconds', 240],
    ['sink', 'file_roll', 'sink.rollInterval', 'seconds', 30],
    ['sink', 'avro', 'connect-timeout', 'milliseconds', 20000],
    ['sink', 'avro', 'request-timeout', 'milliseconds', 20000],
    ['sink', 'avro', 'reset-connection-interval', 'seconds', 0],
    ['sink', 'logger', 'maxBytesToLog', 'bytes', 16],
    ['sink', 'asynchbase', 'timeout', 'milliseconds', 60000],
    ['sinkProcessor', 'failover', 'maxpenalty', 'milliseconds', 30000],
    ['sinkProcessor', 'load_balance', 'selector.maxTimeOut', 'milliseconds', 30000],
    ['serializer', 'avro_event', 'syncIntervalBytes', 'bytes', 2048000],
  ];
  it.each(cases)('%s %s %s is in %s', (category, kind, name, unit, dflt) => {
    const p = prop(category, kind, name);
    expect(p.unit).toBe(unit);
    expect(p.default).toBe(dflt);
  });

  it('reads counts and characters without a unit', () => {
    expect(prop('sink', 'hdfs', 'hdfs.rollCount').unit).toBeUndefined();
    expect(prop('channel', 'memory', 'capacity').unit).toBeUndefined();
    expect(prop('source', 'netcat', 'max-line-length').unit).toBeUndefined();
  });

  it('splits lists the way Flume does', () => {
    expect(prop('channel', 'file', 'dataDirs').listSeparator).toBe('comma');
    expect(prop('source', 'taildir', 'filegroups').listSeparator).toBe('space');
    expect(prop('source', 'multiport_syslogtcp', 'ports').listSeparator).toBe('space');
    expect(prop('source', 'kafka', 'kafka.topics').listSeparator).toBe('comma');
    expect(prop('selector', 'multiplexing', 'mapping.<value>').listSeparator).toBe('space');
    expect(prop('source', 'avro', 'exclude-protocols').listSeparator).toBe('space');
  });

  it('uses the key the Java code reads, with the guide spelling alongside', () => {
    expect(prop('source', 'netcatudp', 'remoteAddress').guideName).toBe('remoteAddressHeader');
    expect(prop('source', 'multiport_syslogtcp', 'readBufferBytes').guideName).toBe('readBufferSize');
    expect(prop('sink', 'thrift', 'reset-connection-interval').guideName).toBe('connection-reset-interval');
    expect(prop('channel', 'kafka', 'kafka.pollTimeout').guideName).toBe('pollTimeout');
  });

  it('records where the code and the guide disagree on defaults', () => {
    expect(prop('channel', 'kafka', 'kafka.consumer.auto.offset.reset').default).toBe('earliest');
    expect(prop('source', 'syslogudp', 'keepFields').default).toBe('none');
    expect(prop('source', 'jms', 'connectionFactory').required).toBeUndefined();
    expect(prop('interceptor', 'regex_extractor', 'serializers.<s>.type').caseSensitive).toBe(true);
  });
});

describe('findProperty', () => {
  const taildir = spec('source', 'taildir');
  const kafkaSink = spec('sink', 'kafka');
  const spooldir = spec('source', 'spooldir');
  const extractor = spec('interceptor', 'regex_extractor');

  it('finds exact names', () => {
    expect(findProperty(taildir, 'filegroups')?.name).toBe('filegroups');
    expect(findProperty(spec('sink', 'hdfs'), 'hdfs.rollInterval')?.name).toBe('hdfs.rollInterval');
  });

  it('matches <x> against exactly one segment', () => {
    expect(findProperty(taildir, 'filegroups.g1')?.name).toBe('filegroups.<group>');
    expect(findProperty(taildir, 'headers.g1.env')?.name).toBe('headers.<group>.<header>');
    expect(findProperty(taildir, 'filegroups.g1.extra')).toBeUndefined();
    expect(findProperty(taildir, 'headers.g1')).toBeUndefined();
    expect(findProperty(taildir, 'filegroups.')).toBeUndefined();
    expect(findProperty(spec('sinkProcessor', 'failover'), 'priority.k1')?.name).toBe('priority.<sink>');
  });

  it('matches a trailing * against one or more segments', () => {
    expect(findProperty(kafkaSink, 'kafka.producer.linger.ms')?.name).toBe('kafka.producer.*');
    expect(findProperty(kafkaSink, 'kafka.producer.compression.type')?.name).toBe('kafka.producer.*');
    expect(findProperty(kafkaSink, 'kafka.producer')).toBeUndefined();
    expect(findProperty(kafkaSink, 'kafka.producer.')).toBeUndefined();
    expect(findProperty(spooldir, 'deserializer.foo.bar')?.name).toBe('deserializer.*');
  });

  it('prefers an exact name over a pattern', () => {
    expect(findProperty(kafkaSink, 'kafka.producer.acks')?.name).toBe('kafka.producer.acks');
    expect(findProperty(spooldir, 'deserializer.maxLineLength')?.name).toBe('deserializer.maxLineLength');
    expect(findProperty(spooldir, 'deserializer')?.name).toBe('deserializer');
  });

  it('prefers the more specific pattern', () => {
    expect(findProperty(extractor, 'serializers.s1.name')?.name).toBe('serializers.<s>.name');
    expect(findProperty(extractor, 'serializers.s1.type')?.name).toBe('serializers.<s>.type');
    expect(findProperty(extractor, 'serializers.s1.custom')?.name).toBe('serializers.<s>.*');
  });

  it('is case-sensitive and ignores unknown keys', () => {
    expect(findProperty(taildir, 'FileGroups')).toBeUndefined();
    expect(findProperty(taildir, 'nosuch')).toBeUndefined();
    expect(findProperty(spec('channel', 'memory'), 'keep-alive')?.unit).toBe('seconds');
  });

  it('works on specs built outside the catalog', () => {
    const custom: ComponentSpec = {
      category: 'source',
      kind: 'custom',
      aliases: [],
      className: 'com.example.Custom',
      doc: 'test',
      properties: [
        { name: 'a.*', type: 'string', doc: 'any a' },
        { name: 'a.<x>.b', type: 'string', doc: 'b of x' },
      ],
    };
    expect(findProperty(custom, 'a.1.b')?.name).toBe('a.<x>.b');
    expect(findProperty(custom, 'a.1.c')?.name).toBe('a.*');
  });
});
