// The component catalog: every Flume kind flowc knows, and fast lookups over it. The data
// lives in one file per category; the lookup tables are built once, when this module loads.
import { channels } from './channels.js';
import { configFilters } from './config-filters.js';
import { interceptors } from './interceptors.js';
import { selectors } from './selectors.js';
import { serializers } from './serializers.js';
import { sinkProcessors } from './sink-processors.js';
import { sinks } from './sinks.js';
import { sources } from './sources.js';
import type { Category, ComponentSpec, PropertySpec } from './types.js';

/** Every catalog entry, grouped by category in this order. */
export const catalog: readonly ComponentSpec[] = [
  ...sources,
  ...channels,
  ...sinks,
  ...interceptors,
  ...selectors,
  ...sinkProcessors,
  ...serializers,
  ...configFilters,
];

const kindsByCategory = new Map<Category, ComponentSpec[]>();
/** Per category: every accepted spelling, upper-cased, to its entry. */
const typeLookup = new Map<Category, Map<string, ComponentSpec>>();

/** Flume upper-cases a `.type` with Locale.ENGLISH before matching it; JS upper-casing agrees. */
function typeKey(type: string): string {
  return type.trim().toUpperCase();
}

for (const spec of catalog) {
  let list = kindsByCategory.get(spec.category);
  if (!list) kindsByCategory.set(spec.category, (list = []));
  list.push(spec);
  let names = typeLookup.get(spec.category);
  if (!names) typeLookup.set(spec.category, (names = new Map()));
  for (const name of [spec.kind, spec.flumeAlias, ...spec.aliases, spec.className]) {
    if (name === undefined) continue;
    const key = typeKey(name);
    const previous = names.get(key);
    if (previous && previous !== spec) {
      throw new Error(`catalog: ${spec.category} name ${name} is claimed by ${previous.kind} and ${spec.kind}`);
    }
    names.set(key, spec);
  }
}

const noKinds: readonly ComponentSpec[] = [];

/** The entries of one category, in catalog order. */
export function kindsOf(category: Category): readonly ComponentSpec[] {
  return kindsByCategory.get(category) ?? noKinds;
}

/**
 * Resolve a `.type` value the way Flume does: alias (case-insensitive, Locale.ENGLISH
 * upper-casing), our canonical kind, any entry of `aliases`, or the fully qualified class
 * name (exact, also case-insensitive).
 */
export function findKind(category: Category, type: string): ComponentSpec | undefined {
  return typeLookup.get(category)?.get(typeKey(type));
}

// ---- properties ----------------------------------------------------------------------------

/** A pattern key split on dots: a literal segment, `<x>` (one segment) or a final `*`. */
interface PropertyPattern {
  spec: PropertySpec;
  /** Literal segments, or `null` for a `<x>` segment. */
  segments: (string | null)[];
  /** Whether a trailing `*` takes one or more further segments. */
  rest: boolean;
}

interface PropertyIndex {
  exact: Map<string, PropertySpec>;
  /** Most specific first, so the first match wins. */
  patterns: PropertyPattern[];
}

const propertyIndexes = new WeakMap<ComponentSpec, PropertyIndex>();

function literalCount(p: PropertyPattern): number {
  return p.segments.reduce((n, s) => (s === null ? n : n + 1), 0);
}

function buildPropertyIndex(spec: ComponentSpec): PropertyIndex {
  const exact = new Map<string, PropertySpec>();
  const patterns: PropertyPattern[] = [];
  for (const p of spec.properties) {
    const parts = p.name.split('.');
    const rest = parts[parts.length - 1] === '*';
    if (rest) parts.pop();
    const segments = parts.map((s) => (s.startsWith('<') && s.endsWith('>') ? null : s));
    if (!rest && segments.every((s) => s !== null)) exact.set(p.name, p);
    else patterns.push({ spec: p, segments, rest });
  }
  // More literal segments first; then fixed-length before open-ended; then longer first.
  patterns.sort(
    (a, b) =>
      literalCount(b) - literalCount(a) ||
      Number(a.rest) - Number(b.rest) ||
      b.segments.length - a.segments.length,
  );
  return { exact, patterns };
}

function propertyIndex(spec: ComponentSpec): PropertyIndex {
  let index = propertyIndexes.get(spec);
  if (!index) {
    index = buildPropertyIndex(spec);
    propertyIndexes.set(spec, index);
  }
  return index;
}

for (const spec of catalog) propertyIndex(spec);

function matches(pattern: PropertyPattern, parts: readonly string[]): boolean {
  const n = pattern.segments.length;
  if (pattern.rest ? parts.length <= n : parts.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const seg = pattern.segments[i];
    const part = parts[i]!;
    if (seg === null ? part.length === 0 : seg !== part) return false;
  }
  if (pattern.rest) {
    for (let i = n; i < parts.length; i++) if (parts[i]!.length === 0) return false;
  }
  return true;
}

/**
 * Find the spec of a component-relative key, matching `<x>` (exactly one dotted segment)
 * and trailing `*` (any remainder of one or more segments) patterns; an exact name wins
 * over a pattern.
 */
export function findProperty(spec: ComponentSpec, key: string): PropertySpec | undefined {
  const index = propertyIndex(spec);
  const exact = index.exact.get(key);
  if (exact || index.patterns.length === 0) return exact;
  const parts = key.split('.');
  for (const pattern of index.patterns) if (matches(pattern, parts)) return pattern.spec;
  return undefined;
}

/**
 * The keys that give a component the property `name`: the property itself, then the deprecated
 * keys Flume translates to it when it is absent.
 */
export function keysProviding(spec: ComponentSpec, name: string): string[] {
  return [name, ...spec.properties.filter((p) => p.replacedBy === name).map((p) => p.name)];
}

/** How diagnostics name a category in prose. */
export const categoryWord: Record<Category, string> = {
  source: 'source',
  channel: 'channel',
  sink: 'sink',
  interceptor: 'interceptor',
  selector: 'channel selector',
  sinkProcessor: 'sink processor',
  serializer: 'serializer',
  configFilter: 'config filter',
};
