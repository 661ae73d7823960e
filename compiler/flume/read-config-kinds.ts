// How Flume 1.11 resolves a `type` value, and which keys a known kind reads.
//
// At run time Flume upper-cases the type (Locale.ENGLISH) and looks it up among its own
// aliases (the enum names: MEMORY, FILE_ROLL, TAILDIR ...); anything else goes to
// Class.forName, which is case-sensitive. flowc's catalog is more forgiving (it also knows
// our own kind names such as `kafka`, and matches class names in any case), so a catalog
// hit alone does not mean that Flume can load the type.
import { categoryWord, findKind, findProperty, kindsOf } from '../catalog/index.js';
import type { Category, ComponentSpec, PropertySpec } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { suggest } from '../util/suggest.js';
import type { ConfigProp } from './config.js';
import { didYouMean, makeDiagnostic, type Locator } from './read-config-support.js';
import { checkValueType } from './read-config-values.js';

export type ResolvedType =
  /** A Flume alias or the exact class name of a catalog entry. */
  | { status: 'known'; spec: ComponentSpec }
  /** A qualified class name flowc does not know: a custom component, passed through. */
  | { status: 'custom' }
  /** Class.forName will fail. */
  | { status: 'unloadable'; why: string; help: string[] };


/** What Flume accepts as a `type` for this entry: its alias, else its class name. */
export function flumeTypeName(spec: ComponentSpec): string {
  return spec.flumeAlias ?? spec.className;
}

export function resolveFlumeType(category: Category, type: string): ResolvedType {
  const spec = findKind(category, type);
  if (spec) {
    if (spec.flumeAlias !== undefined && type.toUpperCase() === spec.flumeAlias.toUpperCase()) return { status: 'known', spec };
    if (type === spec.className) return { status: 'known', spec };
    if (type.toUpperCase() === spec.className.toUpperCase()) {
      return {
        status: 'unloadable',
        why: `Java class names are case-sensitive: \`${type}\` is not \`${spec.className}\``,
        help: [`write \`${flumeTypeName(spec)}\``],
      };
    }
    return {
      status: 'unloadable',
      why: `Flume has no alias \`${type}\` (it is flowc's name for ${spec.className})`,
      help: [`write the class name \`${spec.className}\``],
    };
  }
  if (type.includes('.')) return { status: 'custom' };
  const aliases = kindsOf(category).flatMap((k) => (k.flumeAlias ? [k.flumeAlias] : []));
  const guess = suggest(type, aliases);
  return {
    status: 'unloadable',
    why: `\`${type}\` is neither a Flume ${categoryWord[category]} alias nor a class name`,
    help: [
      ...didYouMean(guess),
      ...(guess ? [] : aliases.length > 0 ? [`Flume's ${categoryWord[category]} aliases: ${aliases.join(', ')}`] : []),
      `for a custom ${categoryWord[category]}, write its fully qualified class name`,
    ],
  };
}

/**
 * Flume's configuration-stub names per section (the `*ConfigurationType` enums). A custom
 * component's `config` property is looked up among them, else loaded as a class.
 */
export const configStubNames: Partial<Record<Category, readonly string[]>> = {
  source: ['OTHER', 'SEQ', 'NETCAT', 'EXEC', 'AVRO', 'SYSLOGTCP', 'SYSLOGUDP', 'MULTIPORT_SYSLOGTCP', 'SPOOLDIR', 'HTTP', 'THRIFT', 'JMS', 'TAILDIR', 'NETCATUDP'],
  sink: ['OTHER', 'NULL', 'LOGGER', 'FILE_ROLL', 'HDFS', 'IRC', 'AVRO', 'THRIFT', 'ELASTICSEARCH', 'HBASE', 'ASYNCHBASE', 'HBASE2', 'MORPHLINE_SOLR', 'HIVE', 'HTTP'],
  channel: ['OTHER', 'MEMORY', 'FILE', 'JDBC', 'SPILLABLEMEMORY'],
  configFilter: ['OTHER', 'ENV', 'HADOOP', 'EXTERNAL'],
};

// ---- properties ----------------------------------------------------------------------------

/**
 * Warns about keys a known kind does not read (Flume ignores them silently). `prefix` is the
 * part of the key before the kind's own keys (`selector.`, `processor.`), for messages only.
 */
export function checkKnownProps(
  spec: ComponentSpec,
  props: readonly ConfigProp[],
  owner: string,
  prefix: string,
  loc: Locator,
  out: Diagnostic[],
): void {
  for (const p of props) {
    const known = findProperty(spec, p.key);
    if (known?.deprecated) {
      const replacement = known.replacedBy && props.find((q) => q.key === known.replacedBy);
      out.push(
        makeDiagnostic('warning', 'FLOW028', `\`${prefix}${p.key}\` of ${owner} (${spec.kind}) is deprecated${known.replacedBy ? (replacement ? `, and Flume ignores it: \`${prefix}${known.replacedBy}\` is set` : `; Flume 1.11 reads it as \`${prefix}${known.replacedBy}\``) : ''}`, loc.key(p.line), {
          label: 'deprecated',
          help: [known.deprecated],
        }),
      );
    }
    if (known) {
      checkValueType(known, p, owner, prefix, loc, out);
      continue;
    }
    const span = loc.key(p.line);
    const byGuideName = spec.properties.find((s) => s.guideName === p.key);
    if (byGuideName) {
      out.push(
        makeDiagnostic('warning', 'FLOW140', `${owner} (${spec.kind}) reads \`${prefix}${byGuideName.name}\`, not \`${prefix}${p.key}\``, span, {
          label: 'Flume ignores this key',
          help: [`Flume's user guide says \`${p.key}\`, but its code reads \`${byGuideName.name}\`; rename the key`],
        }),
      );
      continue;
    }
    const guess = suggestProperty(p.key, spec.properties);
    out.push(
      makeDiagnostic('warning', 'FLOW140', `unknown property \`${prefix}${p.key}\` for ${owner} (${spec.kind})`, span, {
        label: 'Flume ignores this key',
        help: guess ? [`did you mean \`${prefix}${guess}\`?`] : [`remove the line, or check the ${spec.kind} properties in docs/components.md`],
      }),
    );
  }
}

function suggestProperty(key: string, properties: readonly PropertySpec[]): string | undefined {
  const names = properties.map((p) => p.name).filter((n) => !n.includes('<') && !n.endsWith('*'));
  const direct = suggest(key, names);
  if (direct) return direct;
  // `hdfs.rolInterval`: compare the last segment among keys with the same prefix.
  const dot = key.lastIndexOf('.');
  if (dot < 0) return undefined;
  const prefix = key.slice(0, dot + 1);
  const same = names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)).filter((n) => !n.includes('.'));
  const g = suggest(key.slice(dot + 1), same);
  return g ? prefix + g : undefined;
}
