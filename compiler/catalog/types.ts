// The shape of a catalog entry. The catalog is the one place that knows Flume's component
// kinds and their properties; every other stage reads it through `compiler/catalog/index.ts`.

export type Category =
  | 'source'
  | 'channel'
  | 'sink'
  | 'interceptor'
  | 'selector'
  | 'sinkProcessor'
  | 'serializer'
  | 'configFilter';

export type ValueType =
  | 'string'
  | 'int'
  | 'long'
  | 'double'
  | 'boolean'
  | 'enum'
  /** Several values; `listSeparator` says how Flume splits them. */
  | 'list'
  /** A Java class name (or an alias resolved by Flume). */
  | 'class';

/** The unit Flume reads a number in. Durations and sizes written in .flow are converted to it. */
export type Unit = 'seconds' | 'milliseconds' | 'bytes';

export interface PropertySpec {
  /**
   * The exact Flume key, relative to the component (`hdfs.rollInterval`).
   * `<x>` stands for exactly one dotted segment chosen by the user (`filegroups.<group>`);
   * a trailing `*` stands for any remainder (`kafka.producer.*`).
   */
  name: string;
  type: ValueType;
  /** One line, in our own words. */
  doc: string;
  unit?: Unit;
  /** Flume's default, as Flume reads it (in `unit`). Absent when there is none. */
  default?: string | number | boolean;
  required?: boolean;
  /** Allowed values of an `enum`; matched case-insensitively unless `caseSensitive`. */
  values?: readonly string[];
  caseSensitive?: boolean;
  /** An `enum` that also accepts a Java class name. */
  allowsClassName?: boolean;
  min?: number;
  max?: number;
  /** How Flume splits a `list`: on whitespace (the default) or on commas. */
  listSeparator?: 'space' | 'comma';
  /** Passwords and the like: masked in graphs, hovers and logs. */
  sensitive?: boolean;
  /** Why the property is deprecated, and what to use instead. */
  deprecated?: string;
  /**
   * A setting only flowc's runtime reads (Flume has no such key): the properties target leaves
   * it out, so the files it writes still load in Flume unchanged.
   */
  flowcOnly?: boolean;
  /**
   * The key Flume 1.11 translates this deprecated one to when that key is not set itself
   * (`brokerList` → `kafka.bootstrap.servers`): the deprecated key provides it, so a component
   * that sets only the old name still runs.
   */
  replacedBy?: string;
  /** A key that Flume's user guide spells differently from the code that reads it. */
  guideName?: string;
}

/**
 * A header a component sets on the events it emits. Either a fixed header name, or the name
 * held by a property (with its default). `when` gates it on a property's value.
 */
export interface HeaderEffect {
  header?: string;
  headerProperty?: string;
  when?: { property: string; equals: string | boolean };
}

/** A socket a component listens on (for port clashes and links between agents). */
export interface ListenSpec {
  protocol: 'avro' | 'thrift' | 'tcp' | 'udp' | 'http' | 'syslog-tcp' | 'syslog-udp';
  bindProperty?: string;
  /** A single port, or a whitespace list of ports when `portListProperty` is used. */
  portProperty?: string;
  portListProperty?: string;
}

/** A remote endpoint a sink connects to. */
export interface ConnectSpec {
  protocol: 'avro' | 'thrift' | 'http';
  hostProperty: string;
  portProperty: string;
}

export interface ComponentSpec {
  category: Category;
  /** The canonical kind used in .flow, lower case (`memory`, `file_roll`, `kafka`). */
  kind: string;
  /** Further spellings that resolve to this entry (Flume's alias, short names). Case-insensitive. */
  aliases: readonly string[];
  /** The fully qualified Java class (for interceptors and serializers, the Builder). */
  className: string;
  /** Whether Flume knows this kind by an alias in `.type` (otherwise the class name is written). */
  flumeAlias?: string;
  doc: string;
  properties: readonly PropertySpec[];
  /** Headers set on every event (sources, interceptors). */
  headers?: readonly HeaderEffect[];
  /** Sources whose events carry headers from an upstream agent or client we cannot see. */
  passesHeadersThrough?: boolean;
  /** The property holding the component's batch size, for the transactionCapacity rule. */
  batchSizeProperty?: string;
  /**
   * Flume 1.11 compares this component's batch size (a source or sink class implementing
   * BatchSizeSupported) or transaction capacity (a channel implementing
   * TransactionCapacitySupported) when it builds the agent, and drops the source or sink
   * whose batch is larger.
   */
  batchCheckedAtStart?: boolean;
  /**
   * A channel whose events live outside the agent (a Kafka topic that agents share): written
   * with no sink on it, or read with no source, it is complete (Flume keeps it too).
   */
  sharedOutsideAgent?: boolean;
  listens?: ListenSpec;
  connects?: ConnectSpec;
  /** Properties naming directories that must not be shared with another component. */
  exclusiveDirectoryProperties?: readonly string[];
  /** Properties whose values may use `%{header}` and time escapes (`%Y`...). */
  escapedProperties?: readonly string[];
  /** A boolean property that makes time escapes use the local clock instead of a header. */
  localTimestampProperty?: string;
}
