// Puts the agent machine's IP address (useIP) or host name in a header, found once at start.
import { hostname, networkInterfaces } from 'node:os';
import type { InterceptorFactory } from '../core/component.js';
import { need, paramBool, paramString } from '../core/config.js';
import type { Event } from '../core/event.js';

export function localAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}

const create: InterceptorFactory = (config) => {
  const header = need(paramString(config.params, 'hostHeader'), config.name, 'hostHeader');
  const useIP = paramBool(config.params, 'useIP') ?? true;
  const preserve = paramBool(config.params, 'preserveExisting') ?? false;
  const value = useIP ? localAddress() : hostname();
  return {
    intercept(e: Event) {
      if (!(preserve && header in e.headers)) e.headers[header] = value;
      return e;
    },
  };
};

export default create;
