// Java regular expressions (what Flume's properties hold) as JavaScript ones. The common
// syntax is shared; leading inline flags `(?i)` `(?s)` `(?m)` become flags, `\A` `\z` `\Z`
// become anchors. What JavaScript cannot express (possessive quantifiers, atomic groups) is
// refused at start with a clear message.
import { ConfigError } from '../core/config.js';

export function javaRegex(pattern: string, flags: string, where: string): RegExp {
  let src = pattern;
  let f = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(src);
  if (inline) {
    for (const c of inline[1]!) if (c !== 'x' && !f.includes(c)) f += c;
    src = src.slice(inline[0].length);
  }
  if (/\(\?>|[*+?}]\+/.test(src.replace(/\\./g, ''))) {
    throw new ConfigError(`${where}: the regular expression \`${pattern}\` uses possessive quantifiers or atomic groups, which the runtime does not support`);
  }
  src = src.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    return new RegExp(src, f);
  } catch (e) {
    throw new ConfigError(`${where}: \`${pattern}\` is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Java's Matcher.replaceAll replacement text (`$1`, `${name}`, `\$`) as a JS replacer. */
export function javaReplacement(replacement: string): (match: string, ...args: unknown[]) => string {
  type Part = string | number | { name: string };
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\' && i + 1 < replacement.length) {
      lit += replacement[++i];
    } else if (c === '$') {
      const named = /^\{([A-Za-z][A-Za-z0-9]*)\}/.exec(replacement.slice(i + 1));
      const num = /^\d+/.exec(replacement.slice(i + 1));
      if (named) {
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ name: named[1]! });
        i += named[0].length;
      } else if (num) {
        if (lit) parts.push(lit);
        lit = '';
        parts.push(Number(num[0]));
        i += num[0].length;
      } else {
        lit += c;
      }
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return (match: string, ...args: unknown[]) => {
    const last = args[args.length - 1];
    const groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') out += p === 0 ? match : ((args[p - 1] as string | undefined) ?? '');
      else out += groups?.[p.name] ?? '';
    }
    return out;
  };
}
