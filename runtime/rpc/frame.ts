// Avro's Netty framing, which Flume uses in both directions: a "data pack" is
//   int32 serial, int32 buffer count, then per buffer int32 length + bytes (big-endian),
// and the buffers are arbitrary cuts of one Avro byte stream. Serials are full 32-bit values,
// echoed unchanged. The decoder enforces limits on the buffer count, each buffer's length and
// the frame's total size before it keeps anything, so a peer cannot make it hold more than
// one frame of the size allowed; it never allocates ahead of the bytes received.

export interface FrameLimits {
  /** Most buffers in one frame (Java cuts params every 8 KiB: 16,384 buffers carry 128 MiB). */
  maxBuffers: number;
  /** Longest single buffer. */
  maxBufferBytes: number;
  /** Most payload bytes in one frame (the sum of its buffers). */
  maxFrameBytes: number;
}

export const DEFAULT_LIMITS: FrameLimits = {
  maxBuffers: 32 * 1024,
  maxBufferBytes: 64 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
};

export interface Frame {
  readonly serial: number;
  /**
   * The frame's bytes, one Avro byte stream, as slices of the input in order (a buffer of the
   * pack can arrive in several reads). Read them with AvroReader.over: no copy of the frame.
   */
  readonly parts: readonly Buffer[];
  /** The parts joined into one buffer (a copy, made on first use, unless there is one part). */
  readonly payload: Buffer;
  /** Lengths of the buffers as sent (for tests and logs). */
  readonly bufferLengths: readonly number[];
}

class ReceivedFrame implements Frame {
  private joined: Buffer | undefined;

  constructor(
    readonly serial: number,
    readonly parts: readonly Buffer[],
    private readonly size: number,
    readonly bufferLengths: readonly number[],
  ) {}

  get payload(): Buffer {
    if (this.joined === undefined) this.joined = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    return this.joined;
  }
}

/** The peer broke the framing or a limit; its connection must be closed. */
export class FrameError extends Error {
  override name = 'FrameError';
}

const enum State {
  Head,
  Length,
  Data,
}

export class FrameDecoder {
  private state = State.Head;
  /** Bytes of a header (8) or length (4) being gathered across chunks. */
  private readonly small = Buffer.alloc(8);
  private smallHave = 0;
  private serial = 0;
  private buffersLeft = 0;
  private dataLeft = 0;
  private total = 0;
  private parts: Buffer[] = [];
  private lengths: number[] = [];

  constructor(
    private readonly onFrame: (frame: Frame) => void,
    private readonly limits: FrameLimits = DEFAULT_LIMITS,
  ) {}

  /** Whether a frame has begun and is not complete yet. */
  get partial(): boolean {
    return this.state !== State.Head || this.smallHave > 0;
  }

  /** Feeds bytes; calls onFrame for each complete frame; throws FrameError on bad framing. */
  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.state === State.Data) {
        const take = Math.min(this.dataLeft, len - pos);
        this.parts.push(pos === 0 && take === len ? chunk : chunk.subarray(pos, pos + take));
        pos += take;
        this.dataLeft -= take;
        if (this.dataLeft === 0) this.endBuffer();
        continue;
      }
      const need = this.state === State.Head ? 8 : 4;
      let head: Buffer;
      let at: number;
      if (this.smallHave === 0 && len - pos >= need) {
        head = chunk;
        at = pos;
        pos += need;
      } else {
        const take = Math.min(need - this.smallHave, len - pos);
        chunk.copy(this.small, this.smallHave, pos, pos + take);
        this.smallHave += take;
        pos += take;
        if (this.smallHave < need) return;
        head = this.small;
        at = 0;
        this.smallHave = 0;
      }
      if (this.state === State.Head) this.beginFrame(head.readInt32BE(at), head.readInt32BE(at + 4));
      else this.beginBuffer(head.readInt32BE(at));
    }
  }

  private beginFrame(serial: number, count: number): void {
    if (count < 0 || count > this.limits.maxBuffers) {
      throw new FrameError(`a frame announces ${count} buffers (the limit is ${this.limits.maxBuffers})`);
    }
    this.serial = serial;
    this.buffersLeft = count;
    this.total = 0;
    if (count === 0) this.endFrame();
    else this.state = State.Length;
  }

  private beginBuffer(length: number): void {
    if (length < 0 || length > this.limits.maxBufferBytes) {
      throw new FrameError(`a buffer announces ${length} bytes (the limit is ${this.limits.maxBufferBytes})`);
    }
    this.total += length;
    if (this.total > this.limits.maxFrameBytes) {
      throw new FrameError(`a frame is larger than ${this.limits.maxFrameBytes} bytes`);
    }
    this.lengths.push(length);
    this.dataLeft = length;
    if (length === 0) this.endBuffer();
    else this.state = State.Data;
  }

  private endBuffer(): void {
    if (--this.buffersLeft === 0) this.endFrame();
    else this.state = State.Length;
  }

  private endFrame(): void {
    const frame = new ReceivedFrame(this.serial, this.parts, this.total, this.lengths);
    this.parts = [];
    this.lengths = [];
    this.state = State.Head;
    this.onFrame(frame);
  }
}

/** One frame from whole buffers (each written as one buffer of the pack). */
export function encodeFrame(serial: number, buffers: readonly Buffer[]): Buffer {
  let size = 8;
  for (const b of buffers) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(serial, 0);
  out.writeInt32BE(buffers.length, 4);
  let pos = 8;
  for (const b of buffers) {
    out.writeInt32BE(b.length, pos);
    b.copy(out, pos + 4);
    pos += 4 + b.length;
  }
  return out;
}

/** The size Java cuts request params into. */
export const JAVA_BUFFER_SIZE = 8192;

/**
 * A request frame laid out as Flume's Java client writes it: one buffer with the handshake,
 * call metadata and message name, then the params cut into 8 KiB buffers.
 */
export function encodeRequestFrame(serial: number, head: Buffer, params: Buffer): Buffer {
  const cuts = params.length === 0 ? 0 : Math.ceil(params.length / JAVA_BUFFER_SIZE);
  const out = Buffer.allocUnsafe(8 + 4 + head.length + cuts * 4 + params.length);
  out.writeInt32BE(serial, 0);
  out.writeInt32BE(1 + cuts, 4);
  out.writeInt32BE(head.length, 8);
  head.copy(out, 12);
  let pos = 12 + head.length;
  for (let from = 0; from < params.length; from += JAVA_BUFFER_SIZE) {
    const to = Math.min(params.length, from + JAVA_BUFFER_SIZE);
    out.writeInt32BE(to - from, pos);
    params.copy(out, pos + 4, from, to);
    pos += 4 + to - from;
  }
  return out;
}
