// The optional client headers of the syslog sources: the sender's IP address, and its host
// name by reverse lookup (cached; the IP when the lookup fails, as Java's canonical name is).
import { reverse } from 'node:dns/promises';
import type { Event } from '../core/event.js';

const cache = new Map<string, Promise<string>>();

function hostnameOf(ip: string): Promise<string> {
  let p = cache.get(ip);
  if (!p) {
    p = Promise.race([
      reverse(ip).then(
        (names) => names[0] ?? ip,
        () => ip,
      ),
      new Promise<string>((r) => setTimeout(() => r(ip), 2000).unref()),
    ]);
    if (cache.size > 10_000) cache.clear();
    cache.set(ip, p);
  }
  return p;
}

export function stripV4Mapped(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export async function addClientHeaders(events: Event[], ip: string, ipHeader?: string, hostHeader?: string): Promise<void> {
  if (!ipHeader && !hostHeader) return;
  const addr = stripV4Mapped(ip);
  const host = hostHeader ? await hostnameOf(addr) : '';
  for (const e of events) {
    if (ipHeader) e.headers[ipHeader] = addr;
    if (hostHeader) e.headers[hostHeader] = host;
  }
}
