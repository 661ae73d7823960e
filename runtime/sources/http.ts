// The HTTP source. Every request (POST, or GET, which Flume treats the same) is turned into
// events by the handler and written to the channels as one batch:
//   200 accepted (empty body) · 400 a body the handler cannot read (JSON that is not an array
//   of events) · 500 other handler failures (an empty body, an unsupported charset, a missing
//   mandatory parameter) · 503 the channels refused the batch (full) · 413 a body above the
//   runtime's size limit · 403 TRACE and OPTIONS.
// Nothing is committed unless every event of the request is: the batch is all or nothing.
// The work per request is bounded: a request of more events than one transaction of the
// channels takes (and never more than MAX_EVENTS_PER_REQUEST) is refused with 503, as Flume
// refuses it, but before its events are built; events are built in slices with yields to the
// event loop between them, so other clients (of this source and of every other) stay served.
// Handlers: JSONHandler (default; `[{"headers":{...},"body":"..."}]`), BLOBHandler (the body
// is one event, query parameters become headers) and the morphline BlobHandler (the same,
// body cut at handler.maxBlobLength, plus a Content-Type header).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { ConfigError, need, paramList, paramNumber, paramString } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { decodeUtf32, encoderFor } from '../lib/charset.js';
import { arrayLongerThan } from '../lib/json-array-count.js';
import { closeServer, hostForUrl, listenTcp } from '../lib/net.js';
import { yieldToIo } from '../core/timers.js';

/** Largest request body read; larger requests get 413. */
const MAX_BODY = 64 * 1024 * 1024;

/**
 * Most events one request may hold, whatever the channels take: a request of this many empty
 * events costs some tens of MB to build. (Interceptors that drop events can make a request
 * larger than a transaction acceptable; this bounds those too.)
 */
const MAX_EVENTS_PER_REQUEST = 100_000;
/** Events built between two yields to the event loop. */
const BUILD_SLICE = 5_000;

class BadRequest extends Error {}
class HandlerFailure extends Error {}
/** More events than the channels take in one transaction: Flume's answer is 503, channel full. */
class TooManyEvents extends Error {}

/**
 * `query` parses the request's query string (only the handlers that need it call it);
 * `limit` is the most events the request may hold.
 */
type Handler = (body: Buffer, req: IncomingMessage, query: () => URLSearchParams, limit: number) => Promise<Event[]>;

function charsetOf(req: IncomingMessage): string {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '');
  return m ? m[1]! : 'UTF-8';
}

const utf8Decoder = new TextDecoder('utf-8');

function decodeBody(body: Buffer, charset: string): string {
  const c = charset.toUpperCase();
  if (c === 'UTF-8') return utf8Decoder.decode(body);
  if (c === 'UTF-16') return new TextDecoder(body[0] === 0xff && body[1] === 0xfe ? 'utf-16le' : 'utf-16be').decode(body);
  if (c === 'UTF-16LE' || c === 'UTF-16BE') return new TextDecoder(c.toLowerCase()).decode(body);
  if (c === 'UTF-32' || c === 'UTF-32BE') return decodeUtf32(body);
  throw new HandlerFailure(`unsupported character set ${charset}: use UTF-8, UTF-16 or UTF-32`);
}

function text(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new BadRequest(`${what} must be a string`);
}

const jsonHandler: Handler = async (body, req, _query, limit) => {
  if (body.length === 0) throw new HandlerFailure('the request body is empty');
  const charset = charsetOf(req);
  const json = decodeBody(body, charset);
  if (await arrayLongerThan(json, limit)) {
    throw new TooManyEvents(`the request holds more than ${limit} events, more than ${limit === MAX_EVENTS_PER_REQUEST ? 'one request may hold' : 'the channels take in one transaction (transactionCapacity)'}: send at most ${limit} per request`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new BadRequest(`the body is not valid JSON: ${errorText(e)}`);
  }
  if (!Array.isArray(parsed)) throw new BadRequest('the body must be a JSON array of events');
  const encode = encoderFor(charset);
  const events: Event[] = new Array(parsed.length);
  for (let i = 0; i < parsed.length; i++) {
    if (i % BUILD_SLICE === BUILD_SLICE - 1) await yieldToIo();
    const item = parsed[i] as unknown;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new BadRequest(`event ${i} is not a JSON object`);
    const o = item as { headers?: unknown; body?: unknown };
    const headers = newHeaders();
    if (o.headers !== undefined && o.headers !== null) {
      if (typeof o.headers !== 'object' || Array.isArray(o.headers)) throw new BadRequest(`the headers of event ${i} must be an object`);
      // JSON.parse makes plain objects: for-in sees exactly their own keys, in order.
      const h = o.headers as Record<string, unknown>;
      for (const k in h) {
        const v = h[k];
        if (v !== null) headers[k] = typeof v === 'string' ? v : text(v, `header \`${k}\` of event ${i}`);
      }
    }
    const b = o.body === undefined || o.body === null ? '' : typeof o.body === 'string' ? o.body : text(o.body, `the body of event ${i}`);
    events[i] = { headers, body: encode(b) };
  }
  return events;
};

function blobHandler(mandatory: readonly string[], maxBlob: number | undefined): Handler {
  return async (body, req, query) => {
    const headers = newHeaders();
    for (const [k, v] of query()) if (!(k in headers)) headers[k] = v;
    for (const m of mandatory) if (!(m in headers)) throw new HandlerFailure(`the request lacks the mandatory parameter \`${m}\``);
    if (maxBlob !== undefined) {
      const ct = req.headers['content-type'];
      if (ct) headers['Content-Type'] = ct;
      if (body.length > maxBlob) body = body.subarray(0, maxBlob);
    }
    return [{ headers, body }];
  };
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = need(paramString(p, 'bind'), config.name, 'bind');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const handlerClass = need(paramString(p, 'handler'), config.name, 'handler');
  const short = handlerClass.split('.').pop()!;
  let handler: Handler;
  if (short === 'JSONHandler') handler = jsonHandler;
  else if (handlerClass === 'org.apache.flume.source.http.BLOBHandler' || short === 'BLOBHandler') {
    handler = blobHandler(paramList(p, 'handler.mandatoryParameters') ?? [], undefined);
  } else if (short === 'BlobHandler') {
    handler = blobHandler([], paramNumber(p, 'handler.maxBlobLength'));
  } else {
    throw new ConfigError(`source \`${config.name}\`: the runtime has no HTTP handler \`${handlerClass}\`; use JSONHandler or BLOBHandler`);
  }
  const counter = new SourceCounter(config.name);
  // A request is one transaction on each required channel: past this the channels cannot take it.
  const eventLimit = Math.min(ctx.processor.maxAllOrNothingBatch, MAX_EVENTS_PER_REQUEST);
  let server: Server | undefined;
  let boundPort = port;
  const sockets = new Set<Socket>();

  function reply(res: ServerResponse, status: number, message?: string): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: status === 200 ? 'keep-alive' : 'close' });
    res.end(message ? `${message}\n` : undefined);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'TRACE' || req.method === 'OPTIONS') {
      req.resume();
      reply(res, 403);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) {
      req.resume();
      reply(res, 413, `Request body larger than ${MAX_BODY} bytes`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > MAX_BODY) {
        aborted = true;
        reply(res, 413, `Request body larger than ${MAX_BODY} bytes`);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      void accept(Buffer.concat(chunks, size));
    });

    async function accept(body: Buffer): Promise<void> {
      let events: Event[];
      try {
        events = await handler(body, req, () => new URL(req.url ?? '/', 'http://localhost').searchParams, eventLimit);
      } catch (e) {
        if (e instanceof TooManyEvents) {
          counter.channelWriteFail++;
          reply(res, 503, `Error appending event to channel. Channel might be full. ${e.message}`);
          return;
        }
        counter.eventReadFail++;
        if (e instanceof BadRequest) reply(res, 400, `Bad request from client. ${e.message}`);
        else reply(res, 500, `Deserializer threw unexpected exception. ${errorText(e)}`);
        return;
      }
      counter.appendBatchReceived++;
      counter.eventReceived += events.length;
      if (events.length > 0) {
        try {
          await ctx.processor.processEventBatch(events);
        } catch (e) {
          if (e instanceof ChannelException) {
            counter.channelWriteFail++;
            reply(res, 503, `Error appending event to channel. Channel might be full. ${errorText(e)}`);
          } else {
            counter.genericProcessingFail++;
            reply(res, 500, `Error processing the request: ${errorText(e)}`);
          }
          return;
        }
      }
      counter.appendBatchAccepted++;
      counter.eventAccepted += events.length;
      reply(res, 200);
    }
  }

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      server = createServer(handle);
      server.requestTimeout = 60_000;
      server.headersTimeout = 15_000;
      server.keepAliveTimeout = 5_000;
      server.maxHeadersCount = 200;
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        counter.openConnections = sockets.size;
        s.on('close', () => {
          sockets.delete(s);
          counter.openConnections = sockets.size;
        });
      });
      server.on('clientError', (_e, s) => {
        if (s.writable) s.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
        else s.destroy();
      });
      boundPort = await listenTcp(server, host, port);
      server.on('error', (e) => ctx.fail(e));
    },
    async stop() {
      const s = server;
      server = undefined;
      s?.closeIdleConnections();
      const closing = closeServer(s);
      const t = setTimeout(() => {
        for (const sock of sockets) sock.destroy();
      }, 1000);
      await closing;
      clearTimeout(t);
      counter.stop();
    },
    endpoints: () => [`http://${hostForUrl(host)}:${boundPort}`],
  };
  return source;
};

export default create;
