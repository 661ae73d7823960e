// Finds component modules by convention: the factory of kind K in directory D is the default
// export of `runtime/D/K.js`. `flowc run` loads them with a dynamic import; a bundle imports
// the ones it uses statically (see compiler/emit/bundle.ts).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { ComponentDir, ComponentRegistry, FactoryTypes } from './core/component.js';

export const runtimeDir = dirname(fileURLToPath(import.meta.url));

export const componentDirs: readonly ComponentDir[] = ['channels', 'sources', 'sinks', 'interceptors'];

/** The file implementing a kind (compiled .js, or .ts when running from source), if any. */
export function componentFile(dir: ComponentDir, kind: string): string | undefined {
  if (!/^[a-z0-9_]+$/.test(kind)) return undefined;
  for (const ext of ['.js', '.ts']) {
    const f = join(runtimeDir, dir, kind + ext);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** Every kind the runtime implements in a directory. */
export function implementedKinds(dir: ComponentDir): string[] {
  let names: string[];
  try {
    names = readdirSync(join(runtimeDir, dir));
  } catch {
    return [];
  }
  const kinds = new Set<string>();
  for (const n of names) {
    const m = /^([a-z0-9_]+)\.(js|ts)$/.exec(n);
    if (m && !n.endsWith('.d.ts')) kinds.add(m[1]!);
  }
  return [...kinds].sort();
}

export const dynamicRegistry: ComponentRegistry = {
  async load<D extends ComponentDir>(dir: D, kind: string): Promise<FactoryTypes[D] | undefined> {
    const file = componentFile(dir, kind);
    if (!file) return undefined;
    const mod = (await import(pathToFileURL(file).href)) as { default?: FactoryTypes[D] };
    return mod.default;
  },
};
