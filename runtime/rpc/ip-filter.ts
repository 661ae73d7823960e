// Flume's ipFilterRules: a comma-separated, ordered list of `allow|deny:ip|name:<pattern>`
// (e.g. `allow:ip:127.*,allow:name:localhost,deny:ip:*`). Patterns use `*` (any run of
// characters) and `?` (one character). `ip` rules match the client's address, `name` rules
// its host name (reverse lookup; a loopback address is also named `localhost`). The first
// rule that matches decides; a client no rule matches is allowed, as in Netty's filter.
import { lookupService } from 'node:dns/promises';
import { ConfigError } from '../core/config.js';

export interface IpRule {
  allow: boolean;
  kind: 'ip' | 'name';
  pattern: RegExp;
  text: string;
}

function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function parseIpFilterRules(rules: readonly string[], component: string): IpRule[] {
  const out: IpRule[] = [];
  for (const raw of rules) {
    const text = raw.trim();
    if (!text) continue;
    const m = /^(allow|deny):(ip|name):(.+)$/i.exec(text);
    if (!m) {
      throw new ConfigError(
        `source \`${component}\`: the ipFilterRules entry \`${text}\` is not of the form allow|deny:ip|name:<pattern> (for example allow:ip:127.*)`,
      );
    }
    out.push({ allow: m[1]!.toLowerCase() === 'allow', kind: m[2]!.toLowerCase() as 'ip' | 'name', pattern: glob(m[3]!), text });
  }
  return out;
}

/** The client's address as written in rules: IPv4-mapped IPv6 addresses as plain IPv4. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

const isLoopback = (a: string) => a.startsWith('127.') || a === '::1';

/** Whether a client at `address` may connect. */
export async function ipAllowed(rules: readonly IpRule[], address: string | undefined): Promise<boolean> {
  if (!address) return false;
  const ip = plainAddress(address);
  let names: string[] | undefined;
  for (const rule of rules) {
    if (rule.kind === 'ip') {
      if (rule.pattern.test(ip)) return rule.allow;
      continue;
    }
    if (!names) {
      names = isLoopback(ip) ? ['localhost'] : [];
      try {
        names.push((await lookupService(ip, 0)).hostname);
      } catch {
        // no name: only ip rules and `localhost` can match
      }
    }
    if (names.some((n) => rule.pattern.test(n))) return rule.allow;
  }
  return true;
}
