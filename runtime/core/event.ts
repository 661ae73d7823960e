// Flume's event: string headers and a byte body. Components pass events by reference and
// never copy bodies; a source that slices its input buffer hands the slice on as the body.

export type Headers = Record<string, string>;

export interface Event {
  headers: Headers;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function makeEvent(body: Buffer | string = EMPTY, headers: Headers = {}): Event {
  return { headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

/** Headers as Java prints a map: `{k1=v1, k2=v2}` (insertion order). */
export function javaMapText(headers: Headers): string {
  let out = '{';
  let first = true;
  for (const k in headers) {
    if (!first) out += ', ';
    out += `${k}=${headers[k]}`;
    first = false;
  }
  return `${out}}`;
}
