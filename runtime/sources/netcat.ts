// The netcat source: a TCP server; each newline-terminated line is an event (body without
// the LF; a CR stays). Replies `OK` per accepted line (ack-every-event), `FAILED: <reason>`
// per line the channels refused. A line longer than max-line-length characters (newline
// included) is answered with `FAILED: Event exceeds the maximum length (N chars, including
// newline)` and the connection closed (fully: after a short grace to read the reply). Bytes after the last newline at EOF are dropped.
// Lines that arrive together are written to the channels as one batch, or as several when they
// are more than a transaction of the channels holds (ChannelProcessor.maxBatch).
import type { Socket } from 'node:net';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { need, paramBool, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { decoderFor, isUtf8 } from '../lib/charset.js';
import { hostForUrl, TcpListener } from '../lib/net.js';

const LF = 10;
/** Reply bytes a client may leave unread before the source stops reading from it. */
const MAX_UNREAD_REPLIES = 1024 * 1024;
/**
 * After the FAILED reply to an over-long line, how long the client has to read it and hang up
 * before the connection is destroyed (its further bytes are read and discarded meanwhile).
 */
const HANG_UP_GRACE_MS = 1000;

/** Characters in UTF-8 bytes: bytes that do not continue a sequence. */
function charCount(b: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
  return n;
}

/** `OK\n` replies, written as slices of one buffer that is never changed. */
const OK = Buffer.from('OK\n'.repeat(16 * 1024));

function okReplies(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let left = n; left > 0; left -= 16 * 1024) out.push(OK.subarray(0, Math.min(left, 16 * 1024) * 3));
  return out;
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = need(paramString(p, 'bind'), config.name, 'bind');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const maxLine = need(paramNumber(p, 'max-line-length'), config.name, 'max-line-length');
  const ack = paramBool(p, 'ack-every-event') ?? true;
  const encoding = paramString(p, 'encoding') ?? 'utf-8';
  const decoder = isUtf8(encoding) ? undefined : decoderFor(encoding, `source \`${config.name}\``);
  // Half-open: a client that sends its lines and then shuts down its side (`nc -N`) still gets
  // the replies, which come after the channels commit (a Kafka or file channel commits later).
  const listener = new TcpListener(serve, (e) => ctx.fail(e), undefined, undefined, { allowHalfOpen: true });

  const toBody = (b: Buffer): Buffer => (decoder ? Buffer.from(decoder.decode(b), 'utf8') : b);

  function serve(socket: Socket): void {
    socket.setNoDelay(true);
    let pending: Buffer | undefined;
    let busy = Promise.resolve();
    let closed = false;
    const finish = () => {
      closed = true;
    };
    socket.on('close', finish);
    socket.on('error', (e) => ctx.log.debug(`client connection error: ${errorText(e)}`));
    // The client is done sending: end our side once its last lines are committed and answered.
    socket.on('end', () => void busy.then(() => !closed && socket.end()));
    socket.on('data', (chunk: Buffer) => {
      if (closed) return; // after the FAILED reply: read and discard
      // Handle chunks one after the other: pause reading while a batch is written.
      socket.pause();
      busy = busy.then(() => handle(chunk)).then(
        () => {
          // A client that does not read its replies is not read from either.
          if (closed) return;
          if (socket.writableLength > MAX_UNREAD_REPLIES) socket.once('drain', () => !closed && socket.resume());
          else socket.resume();
        },
        (e) => {
          ctx.log.warn(`closing a client connection: ${errorText(e)}`);
          socket.destroy();
        },
      );
    });

    async function handle(chunk: Buffer): Promise<void> {
      if (closed) return;
      // A line begun in an earlier chunk is joined with the start of this one; the rest of
      // the chunk is read in place (bodies are slices of it).
      let data = chunk;
      let start = 0;
      // While reading the joined line: the length of `pending` (data = pending + chunk[0, end of line]).
      let joined = -1;
      if (pending) {
        const nl = chunk.indexOf(LF);
        if (nl < 0) data = Buffer.concat([pending, chunk]);
        else {
          data = Buffer.concat([pending, chunk.subarray(0, nl + 1)]);
          joined = pending.length;
        }
        pending = undefined;
      }
      const lines: Event[] = [];
      let tooLong = false;
      for (;;) {
        const nl = data.indexOf(LF, start);
        if (nl < 0) {
          if (joined < 0) break;
          // The joined line is read: go on in the chunk itself.
          start -= joined;
          joined = -1;
          data = chunk;
          continue;
        }
        // A line has at most as many characters as bytes: count them only when that may matter.
        if (nl - start + 1 > maxLine && charCount(data, start, nl) + 1 > maxLine) {
          tooLong = true;
          break;
        }
        lines.push({ headers: newHeaders(), body: toBody(data.subarray(start, nl)) });
        start = nl + 1;
      }
      if (!tooLong && start < data.length) {
        if (data.length - start >= maxLine && charCount(data, start, data.length) >= maxLine) tooLong = true;
        else pending = data.subarray(start);
      }
      // In pieces that fit a transaction of every channel; each piece is answered on its own.
      const max = ctx.processor.maxBatch;
      for (let i = 0; i < lines.length; i += max) {
        const piece = i === 0 && lines.length <= max ? lines : lines.slice(i, i + max);
        let reply: string | Buffer[];
        try {
          await ctx.processor.processEventBatch(piece);
          reply = ack ? okReplies(piece.length) : '';
        } catch (e) {
          ctx.log.warn(`the channels refused ${piece.length} event(s): ${errorText(e)}`);
          reply = `FAILED: ${errorText(e)}\n`.repeat(piece.length);
        }
        if (!closed) {
          if (typeof reply === 'string') {
            if (reply) socket.write(reply);
          } else for (const r of reply) socket.write(r);
        }
      }
      if (tooLong && !closed) {
        ctx.log.warn(`a client sent a line longer than ${maxLine} characters; closing its connection`);
        hangUp(`FAILED: Event exceeds the maximum length (${maxLine} chars, including newline)\n`);
      }
    }

    /**
     * Ends the connection after a last reply. Half-closing is not enough: a client that never
     * hangs up (or keeps sending) would hold the socket forever. So the rest of its input is
     * read and dropped (its writes never block), and the socket is destroyed once the client
     * has hung up or the grace period is over, whichever comes first.
     */
    function hangUp(lastReply: string): void {
      closed = true;
      socket.end(lastReply);
      socket.resume();
      const timer = setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
  }

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      await listener.listen(host, port);
    },
    async stop() {
      await listener.close();
    },
    endpoints: () => [`tcp://${hostForUrl(host)}:${listener.port || port}`],
  };
  return source;
};

export default create;
