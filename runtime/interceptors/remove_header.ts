// Deletes headers: one by name (withName), several (fromList, split by the fromListSeparator
// expression), and every header whose whole name matches `matching`.
import type { InterceptorFactory } from '../core/component.js';
import { paramString } from '../core/config.js';
import type { Event } from '../core/event.js';
import { javaRegex } from '../lib/regex.js';

const create: InterceptorFactory = (config) => {
  const p = config.params;
  const where = `interceptor \`${config.name}\``;
  const names = new Set<string>();
  const withName = paramString(p, 'withName');
  if (withName) names.add(withName);
  const fromList = paramString(p, 'fromList');
  if (fromList) {
    const sep = javaRegex(paramString(p, 'fromListSeparator') ?? ',', '', where);
    for (const n of fromList.split(sep)) if (n) names.add(n);
  }
  const matchingText = paramString(p, 'matching');
  const matching = matchingText ? javaRegex(`^(?:${matchingText})$`, '', where) : undefined;
  return {
    intercept(e: Event) {
      for (const n of names) delete e.headers[n];
      if (matching) for (const k of Object.keys(e.headers)) if (matching.test(k)) delete e.headers[k];
      return e;
    },
  };
};

export default create;
