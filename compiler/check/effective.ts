// The value a component runs with for one property: what the user wrote, else Flume's default.
import type { Component } from '../model.js';
import { propOf } from '../model.js';
import { findProperty } from '../catalog/index.js';
import { toFlumeText } from '../values.js';

export function effectiveText(c: Component, key: string): string | undefined {
  const prop = propOf(c, key);
  if (prop) {
    const converted = toFlumeText(prop.value, prop.spec, { kind: 'reference' });
    return converted.ok ? converted.text : undefined;
  }
  const spec = c.spec ? findProperty(c.spec, key) : undefined;
  return spec?.default === undefined ? undefined : String(spec.default);
}

export function effectiveNumber(c: Component, key: string): number | undefined {
  const text = effectiveText(c, key);
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
}

export function effectiveBoolean(c: Component, key: string): boolean | undefined {
  const text = effectiveText(c, key)?.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : undefined;
}
