// The runtime configuration of one agent: plain JSON, produced from a checked program by
// `compiler/emit/runtime-config.ts` (the one place that turns the model into it). The runtime
// reads nothing else: it never parses .flow or properties text.

/** A converted property value: numbers already in the catalog's unit. */
export type ParamValue = string | number | boolean | string[];

/** Component-relative Flume keys (`sink.directory`, `keep-alive`) to their values. */
export type Params = Record<string, ParamValue>;

export interface ComponentConfig {
  name: string;
  /** The catalog kind (`memory`, `netcat`, ...) or, for a custom component, its class name. */
  kind: string;
  /** Whether `kind` is a class name the catalog does not know. */
  custom?: boolean;
  /**
   * Every catalog property of the kind that has a value: the user's, or the catalog default.
   * Properties without a default that the user did not set are absent.
   */
  params: Params;
}

export interface SelectorConfig {
  kind: string;
  custom?: boolean;
  params: Params;
}

export interface SourceConfig extends ComponentConfig {
  channels: string[];
  selector: SelectorConfig;
  /** Applied in this order. */
  interceptors: ComponentConfig[];
}

export interface SinkConfig extends ComponentConfig {
  channel: string;
}

export interface SinkGroupConfig {
  name: string;
  sinks: string[];
  processor: { kind: string; custom?: boolean; params: Params };
}

export interface AgentRuntimeConfig {
  /** Version of this shape, bumped when it changes incompatibly. */
  version: 1;
  agent: string;
  /** The .flow file it came from, for messages. */
  file?: string;
  channels: ComponentConfig[];
  sources: SourceConfig[];
  sinks: SinkConfig[];
  sinkGroups: SinkGroupConfig[];
}

// ---- typed access to params --------------------------------------------------------------

export function paramString(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(' ') : String(v);
}

export function paramNumber(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const n = Number(Array.isArray(v) ? v.join('') : v);
  return Number.isFinite(n) ? n : undefined;
}

export function paramBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  return String(v).trim().toLowerCase() === 'true';
}

export function paramList(p: Params, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v;
  return String(v).split(/[\s,]+/).filter(Boolean);
}

/** Keys of `p` that start with `prefix` (e.g. `mapping.`), with the prefix removed. */
export function paramsUnder(p: Params, prefix: string): [string, ParamValue][] {
  const out: [string, ParamValue][] = [];
  for (const [k, v] of Object.entries(p)) if (k.startsWith(prefix) && k.length > prefix.length) out.push([k.slice(prefix.length), v]);
  return out;
}

/** A required parameter: the catalog marks it required, so the checker has ensured it. */
export function need<T>(value: T | undefined, component: string, key: string): T {
  if (value === undefined) throw new ConfigError(`\`${component}\` has no value for \`${key}\``);
  return value;
}

/** A configuration the runtime cannot use; reported at start, without a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
