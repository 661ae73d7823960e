// Puts the current time (epoch milliseconds) in a header.
import type { InterceptorFactory } from '../core/component.js';
import { need, paramBool, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';

const create: InterceptorFactory = (config) => {
  const header = need(paramString(config.params, 'headerName'), config.name, 'headerName');
  const preserve = paramBool(config.params, 'preserveExisting') ?? false;
  return {
    intercept(e: Event) {
      if (!(preserve && header in e.headers)) e.headers[header] = String(Date.now());
      return e;
    },
    interceptBatch(events: Event[]) {
      const now = String(Date.now());
      for (const e of events) if (!(preserve && header in e.headers)) e.headers[header] = now;
      return events;
    },
  };
};

export default create;
