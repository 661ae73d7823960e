// An independent reading of an emitted properties file, the way FlumeConfiguration groups
// keys: it returns every key that Flume would ignore, drop or fail on.
import { findKind, findProperty } from '../../compiler/catalog/index.js';
import type { Category } from '../../compiler/catalog/types.js';
import { parseProperties } from '../../compiler/properties/reader.js';

const sections: Record<string, Category> = {
  sources: 'source',
  channels: 'channel',
  sinks: 'sink',
  sinkgroups: 'sinkProcessor',
  configfilters: 'configFilter',
};

export function unacceptedKeys(text: string): string[] {
  const parsed = parseProperties(text);
  const problems: string[] = [];
  const props = parsed.map;
  const get = (k: string) => props.get(k)?.value.trim();
  const agents = new Set([...props.keys()].map((k) => k.split('.')[0]!));
  for (const agent of agents) {
    const lists: Record<string, Set<string>> = {};
    for (const section of Object.keys(sections)) {
      lists[section] = new Set((get(`${agent}.${section}`) ?? '').split(/\s+/).filter(Boolean));
    }
    if (lists.channels!.size === 0) problems.push(`${agent}: no channels list (Flume drops the agent)`);
    for (const [key, entry] of props) {
      const value = entry.value.trim();
      if (value === '') problems.push(`${key}: empty value (Flume ignores it)`);
      const parts = key.split('.');
      if (parts[0] !== agent || parts.length < 2) continue;
      const section = parts[1]!;
      if (!(section in sections)) {
        problems.push(`${key}: unknown section \`${section}\``);
        continue;
      }
      if (parts.length === 2) continue;
      const name = parts[2]!;
      const rest = parts.slice(3).join('.');
      if (!lists[section]!.has(name)) problems.push(`${key}: component \`${name}\` is not in ${agent}.${section}`);
      if (rest === 'type' || rest === '') continue;
      const typeKey = section === 'sinkgroups' ? `${agent}.${section}.${name}.processor.type` : `${agent}.${section}.${name}.type`;
      const type = get(typeKey);
      if (!type) {
        problems.push(`${key}: \`${name}\` has no type`);
        continue;
      }
      problems.push(...checkComponentKey(key, section, rest, type, get, `${agent}.${section}.${name}`, lists));
    }
    for (const [section, names] of Object.entries(lists)) {
      for (const name of names) {
        const typeKey = section === 'sinkgroups' ? `${agent}.${section}.${name}.processor.type` : `${agent}.${section}.${name}.type`;
        if (!get(typeKey)) problems.push(`${agent}.${section}: \`${name}\` is listed but has no type`);
      }
    }
  }
  return problems;
}

function checkComponentKey(
  key: string,
  section: string,
  rest: string,
  type: string,
  get: (k: string) => string | undefined,
  base: string,
  lists: Record<string, Set<string>>,
): string[] {
  const category = sections[section]!;
  if (section === 'sources' && rest === 'channels') {
    return (get(key) ?? '').split(/\s+/).filter((c) => !lists.channels!.has(c)).map((c) => `${key}: channel \`${c}\` is not active`);
  }
  if (section === 'sinks' && rest === 'channel') {
    const c = get(key) ?? '';
    return lists.channels!.has(c) ? [] : [`${key}: channel \`${c}\` is not active`];
  }
  if (section === 'sinkgroups') {
    if (rest === 'sinks') {
      return (get(key) ?? '').split(/\s+/).filter((k) => !lists.sinks!.has(k)).map((k) => `${key}: sink \`${k}\` is not active`);
    }
    if (rest === 'processor.type') return [];
    if (!rest.startsWith('processor.')) return [`${key}: sink groups only take \`sinks\` and \`processor.*\``];
    return propertyKnown(key, 'sinkProcessor', type, rest.slice('processor.'.length));
  }
  if (section === 'sources' && rest.startsWith('selector.')) {
    const selectorType = get(`${base}.selector.type`) ?? 'replicating';
    if (rest === 'selector.type') return [];
    return propertyKnown(key, 'selector', selectorType, rest.slice('selector.'.length));
  }
  if (section === 'sources' && rest.startsWith('interceptors')) {
    if (rest === 'interceptors') return [];
    const [, name, ...more] = rest.split('.');
    const declared = (get(`${base}.interceptors`) ?? '').split(/\s+/);
    if (!declared.includes(name!)) return [`${key}: interceptor \`${name}\` is not listed`];
    const iType = get(`${base}.interceptors.${name}.type`);
    if (!iType) return [`${key}: interceptor \`${name}\` has no type`];
    if (more.join('.') === 'type') return [];
    return propertyKnown(key, 'interceptor', iType, more.join('.'));
  }
  return propertyKnown(key, category, type, rest);
}

function propertyKnown(key: string, category: Category, type: string, rest: string): string[] {
  const spec = findKind(category, type);
  if (!spec) return type.includes('.') ? [] : [`${key}: unknown ${category} type \`${type}\``];
  return findProperty(spec, rest) ? [] : [`${key}: \`${rest}\` is not a property of ${spec.kind}`];
}
