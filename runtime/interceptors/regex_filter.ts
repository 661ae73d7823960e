// Keeps only the events whose body contains a match of `regex` — or, with excludeEvents,
// drops those.
import type { InterceptorFactory } from '../core/component.js';
import { need, paramBool, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';
import { javaRegex } from '../lib/regex.js';

const create: InterceptorFactory = (config) => {
  const regex = javaRegex(need(paramString(config.params, 'regex'), config.name, 'regex'), '', `interceptor \`${config.name}\``);
  const exclude = paramBool(config.params, 'excludeEvents') ?? false;
  return {
    intercept(e: Event) {
      const found = regex.test(e.body.toString('utf8'));
      return found !== exclude ? e : null;
    },
  };
};

export default create;
