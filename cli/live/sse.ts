// Server-sent events to any number of pages. Writing never waits for a client: a client whose
// socket is still full from earlier frames skips frames (each frame is the whole state, so the
// next one sets it right), which keeps its backlog to about one frame; one that has not read
// for a long time is dropped (a browser reconnects by itself). A stalled browser tab costs the
// agent neither time nor memory.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class SseHub {
  /** Each client, and since when it has been too full to take a frame (0: it is not). */
  private readonly clients = new Map<ServerResponse, number>();
  private closed = false;

  /** `stallMs`: how long a client may go without taking a frame before it is dropped. */
  constructor(private readonly stallMs = 30_000) {}

  get size(): number {
    return this.clients.size;
  }

  /** Answers `req` with an event stream; `first` (a frame) goes out at once. */
  add(req: IncomingMessage, res: ServerResponse, first?: string): void {
    if (this.closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    // The socket stays open for as long as the page does: no idle timeout, no Nagle delay.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.write('retry: 2000\n\n');
    if (first !== undefined) res.write(first);
    this.clients.set(res, 0);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
  }

  /** One event to every client that can take it now. */
  send(event: string, data: unknown, id?: number): void {
    const text = frameText(event, data, id);
    const now = Date.now();
    for (const [res, since] of this.clients) {
      if (!res.writableNeedDrain) {
        res.write(text);
        this.clients.set(res, 0);
      } else if (since === 0) {
        this.clients.set(res, now);
      } else if (now - since >= this.stallMs) {
        this.clients.delete(res);
        res.destroy();
      }
    }
  }

  /** Sends `event` (if given) as the last word, then ends every stream. */
  close(event?: string, data?: unknown): void {
    this.closed = true;
    for (const res of this.clients.keys()) {
      if (event !== undefined && !res.writableNeedDrain) res.write(frameText(event, data));
      res.end();
    }
    this.clients.clear();
  }
}

export function frameText(event: string, data: unknown, id?: number): string {
  // JSON.stringify never emits a raw line break, so the data is one `data:` line.
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
