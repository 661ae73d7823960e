// A flume.properties file read the way Apache Flume 1.11 reads it (FlumeConfiguration):
// which agents and components are active, which are dropped and why. Built by
// `read-config.ts`; used by the importer (to write .flow), by `effective.ts` (for diff) and
// by conformance.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PropertyLine } from '../properties/reader.js';

/** One property of a component, with the key relative to the component (`hdfs.path`). */
export interface ConfigProp {
  key: string;
  /** The value as Flume sees it: trimmed. */
  value: string;
  line: PropertyLine;
}

export interface ConfigComponent {
  name: string;
  /** The `.type` value (trimmed), when present. */
  type?: string;
  typeLine?: PropertyLine;
  /** Every other property of the component, in file order. */
  props: ConfigProp[];
  /** False when Flume ignores or drops the component; `dropReason` says why. */
  active: boolean;
  dropReason?: string;
}

export interface ConfigInterceptor extends ConfigComponent {}

export interface ConfigSelector {
  /** `selector.type` as written; undefined means Flume's default (replicating). */
  type?: string;
  typeLine?: PropertyLine;
  /** `selector.*` properties other than `type`, keys relative to `selector.`. */
  props: ConfigProp[];
}

export interface ConfigSource extends ConfigComponent {
  /** `channels`, as written (whitespace list), before Flume removes inactive ones. */
  channels: string[];
  channelsLine?: PropertyLine;
  selector: ConfigSelector;
  /** The `interceptors` list in order; each with its own properties. */
  interceptors: ConfigInterceptor[];
  interceptorsLine?: PropertyLine;
}

export interface ConfigSink extends ConfigComponent {
  channel?: string;
  channelLine?: PropertyLine;
}

export interface ConfigSinkGroup {
  name: string;
  sinks: string[];
  sinksLine?: PropertyLine;
  processor: ConfigSelector;
  /**
   * The sinks Flume keeps in the group (active, not taken by another group), in the order it
   * hands them to the processor: Java HashSet order, not the written order. Filled by
   * `read-config.ts`; empty when the group is dropped.
   */
  effectiveSinks: string[];
  active: boolean;
  dropReason?: string;
}

export interface ConfigAgent {
  name: string;
  active: boolean;
  dropReason?: string;
  /** The agent's lists (`<a>.sources` ...), with their lines. */
  lists: Partial<Record<'sources' | 'channels' | 'sinks' | 'sinkgroups' | 'configfilters', PropertyLine>>;
  sources: ConfigSource[];
  channels: ConfigComponent[];
  sinks: ConfigSink[];
  sinkgroups: ConfigSinkGroup[];
  configfilters: ConfigComponent[];
  /** Keys under the agent that belong to no component (e.g. `a1.source.r1.type`), kept so nothing is lost. */
  stray: PropertyLine[];
}

export interface FlumeConfigFile {
  path: string;
  agents: ConfigAgent[];
  /** Lines Flume rejects outright (no agent prefix, empty value ...). */
  rejected: { line: PropertyLine; reason: string }[];
  /** Every comment that stands before no entry (end of file). */
  trailingComments: string[];
  diagnostics: Diagnostic[];
}
