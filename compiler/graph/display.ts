// How the graph shows a property: the value as the user wrote it (`5m`, `128MB`, `${HOME}`),
// because a picture of a .flow file should read like the file, not like flume.properties.
// Secrets are replaced here, before any renderer sees them.
import type { Prop, Value } from '../model.js';

/** What every renderer shows instead of a secret. */
export const MASK = '******';

/** Keys that look secret on components the catalog does not know (custom classes, `kafka.*`). */
const SECRET_KEY = /password|secret|token|credential/i;

export function isSensitive(prop: Prop): boolean {
  return prop.spec?.sensitive === true || SECRET_KEY.test(prop.key);
}

export function displayValue(v: Value): string {
  switch (v.t) {
    case 'str':
      return v.parts.map((p) => (typeof p === 'string' ? p : p.default === undefined ? `\${${p.env}}` : `\${${p.env}:-${p.default}}`)).join('');
    case 'num':
    case 'duration':
    case 'size':
      return v.text;
    case 'bool':
      return String(v.v);
    case 'word':
      return v.v;
    case 'list':
      return `[${v.items.map(displayValue).join(', ')}]`;
    case 'ref':
      return `${v.agent}.${v.component}`;
  }
}

/** The words of a list value (`[hot, cold]` or `"hot cold"`), for selectors and groups. */
export function listWords(v: Value): string[] {
  if (v.t === 'list') return v.items.flatMap(listWords);
  return displayValue(v).split(/\s+/).filter(Boolean);
}
