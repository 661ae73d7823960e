// Flume's `compression-type = deflate`: each direction of a connection is one zlib stream
// (RFC 1950) that lasts as long as the connection; every write is compressed as one unit and
// ends with a Z_SYNC_FLUSH, so the peer can inflate it at once. The stream is never finished
// before close. This wraps a socket into a Duplex of plain bytes; TLS, when on, goes inside it
// (Flume ≥ 1.10 orders its pipeline socket → zlib → TLS → frames).
import { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

export class DeflateStream extends Duplex {
  private readonly inflate: Inflate;
  private readonly deflate: Deflate;
  private out: Buffer[] = [];

  constructor(
    private readonly socket: Duplex,
    level = 6,
  ) {
    super({ allowHalfOpen: true });
    this.inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    this.deflate = createDeflate({ level });
    socket.on('data', (chunk: Buffer) => {
      if (!this.inflate.write(chunk)) socket.pause();
    });
    this.inflate.on('drain', () => socket.resume());
    socket.on('end', () => this.inflate.end());
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
    this.inflate.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.inflate.pause();
    });
    this.inflate.on('end', () => this.push(null));
    this.inflate.on('error', (e) => this.destroy(new Error(`the peer's compressed stream is broken: ${e.message}`)));
    // One socket write per flushed unit, as Flume does (zlib emits its header separately).
    this.deflate.on('data', (chunk: Buffer) => this.out.push(chunk));
    this.deflate.on('error', (e) => this.destroy(e));
  }

  override _read(): void {
    this.inflate.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.deflate.write(chunk);
    this.deflate.flush(constants.Z_SYNC_FLUSH, () => {
      this.send();
      done();
    });
  }

  override _final(done: (e?: Error | null) => void): void {
    this.deflate.once('end', () => {
      this.send();
      this.socket.end();
      done();
    });
    this.deflate.end();
  }

  private send(): void {
    if (this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(data);
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    this.inflate.destroy();
    this.deflate.destroy();
    this.socket.destroy();
    done(e);
  }
}
