// Flume's event: string headers and a byte body. Components pass events by reference and
// never copy bodies; a source that slices its input buffer hands the slice on as the body.

export type Headers = Record<string, string>;

/**
 * Header maps are objects whose prototype chain holds nothing: any string is a header name
 * (`__proto__`, `constructor` and `toString` included), `name in headers` and `headers[name]`
 * see only headers, and for-in sees them in insertion order. A constructor with an empty,
 * frozen prototype keeps V8's fast property layout, which `Object.create(null)` gives up.
 */
const HeaderMap = function HeaderMap() {} as unknown as new () => Headers;
HeaderMap.prototype = Object.freeze(Object.create(null) as object) as Headers;

/** An empty header map: build every event's headers from this, never from `{}`. */
export function newHeaders(): Headers {
  return new HeaderMap();
}

/** A header map with the given entries (in order). */
export function headersOf(entries: Iterable<readonly [string, string]> | Record<string, string>): Headers {
  const h = new HeaderMap();
  const list = Symbol.iterator in entries ? (entries as Iterable<readonly [string, string]>) : Object.entries(entries);
  for (const [k, v] of list) h[k] = v;
  return h;
}

export interface Event {
  headers: Headers;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function makeEvent(body: Buffer | string = EMPTY, headers: Headers = newHeaders()): Event {
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
