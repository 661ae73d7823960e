// Gives each event a random UUID (with an optional prefix) in a header.
import { randomUUID } from 'node:crypto';
import type { InterceptorFactory } from '../core/component.js';
import { need, paramBool, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';

const create: InterceptorFactory = (config) => {
  const header = need(paramString(config.params, 'headerName'), config.name, 'headerName');
  const preserve = paramBool(config.params, 'preserveExisting') ?? true;
  const prefix = paramString(config.params, 'prefix') ?? '';
  return {
    intercept(e: Event) {
      if (!(preserve && header in e.headers)) e.headers[header] = prefix + randomUUID();
      return e;
    },
  };
};

export default create;
