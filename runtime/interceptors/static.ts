// Adds one fixed header.
import type { InterceptorFactory } from '../core/component.js';
import { need, paramBool, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';

const create: InterceptorFactory = (config) => {
  const key = need(paramString(config.params, 'key'), config.name, 'key');
  const value = need(paramString(config.params, 'value'), config.name, 'value');
  const preserve = paramBool(config.params, 'preserveExisting') ?? true;
  return {
    intercept(e: Event) {
      if (!(preserve && key in e.headers)) e.headers[key] = value;
      return e;
    },
  };
};

export default create;
