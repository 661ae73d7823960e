// Views of received bytes as Buffers, made faster than `buf.subarray(a, b)`.
//
// A decoder that hands every event a slice of its input as the body (the avro source, 1,000
// per request) spends a third of its decoding time in Node's subarray: it reads the source's
// `.buffer` (a call into C++) and runs Buffer's own derived constructor. A view made directly
// on the ArrayBuffer, by a Uint8Array subclass whose prototype is Buffer's, costs less than
// half. Such a view is a Buffer to every user: Buffer.isBuffer and instanceof Buffer hold, its
// `constructor` is Buffer (as for Node's own Buffers), and every Buffer method works on it,
// since those read only the Uint8Array underneath.

class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
Object.defineProperty(BufferView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true, enumerable: false });

/** A Buffer of `length` bytes of `memory` from `byteOffset`, sharing them (no copy). */
export function bufferView(memory: ArrayBufferLike, byteOffset: number, length: number): Buffer {
  return new BufferView(memory as ArrayBuffer, byteOffset, length) as unknown as Buffer;
}
