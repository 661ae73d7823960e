// The native HDFS client's framing, against bytes derived from the protocol definitions
// (protobuf's encoding, Hadoop IPC's frames, DataTransferProtocol's packets and acks). The
// real namenode and datanodes answer in test/hdfs-native.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { ProtoMessage, ProtoWriter, delimited } from '../../runtime/lib/protobuf.js';
import { HadoopIpcClient, HadoopRemoteError } from '../../runtime/lib/hadoop-ipc.js';
import { decodeAck, encodePacket, writePacketMeta } from '../../runtime/lib/hdfs-packets.js';
import { namenodeAddress } from '../../runtime/sinks/hdfs/native-fs.js';
import { crc32c } from '../../runtime/lib/kafka-records.js';

/** A client of protocol `P` as user `u` to the test's server on `port`. */
const ipcClient = (port: number) => new HadoopIpcClient({ host: '127.0.0.1', port, protocol: 'P', protocolVersion: 1, user: 'u', timeoutMs: 5000 });

describe('protobuf encoding', () => {
  it('writes varints, zigzag, fixed-width, strings and nested messages as the encoding defines them', () => {
    expect(new ProtoWriter().uint(1, 150).finish().toString('hex')).toBe('089601');
    expect(new ProtoWriter().uint(2, 300).finish().toString('hex')).toBe('10ac02');
    expect(new ProtoWriter().sint(1, -1).finish().toString('hex')).toBe('0801');
    expect(new ProtoWriter().sint(1, -3).finish().toString('hex')).toBe('0805');
    expect(new ProtoWriter().sint(1, 2).finish().toString('hex')).toBe('0804');
    expect(new ProtoWriter().int(1, -1).finish().toString('hex')).toBe('08ffffffffffffffffff01');
    expect(new ProtoWriter().uint(1, 1073741825n).finish().toString('hex')).toBe('0881808080' + '04');
    expect(new ProtoWriter().string(2, 'testing').finish().toString('hex')).toBe('120774657374696e67');
    expect(new ProtoWriter().fixed64(1, 1).fixed32(4, -2).finish().toString('hex')).toBe('090100000000000000' + '25feffffff');
    expect(new ProtoWriter().message(3, new ProtoWriter().uint(1, 150)).finish().toString('hex')).toBe('1a03089601');
    expect(delimited(Buffer.from('ab', 'hex')).toString('hex')).toBe('01ab');
  });

  it('reads every field back, repeated ones in order, packed or not', () => {
    const m = new ProtoMessage(
      Buffer.concat([
        new ProtoWriter()
          .uint(1, 2n ** 63n + 5n)
          .sint(2, -7)
          .string(3, 'x')
          .uint(4, 1)
          .uint(4, 2)
          .bytes(5, Buffer.from([3, 4]))
          .bool(6, true)
          .finish(),
      ]),
    );
    expect(m.big(1)).toBe(2n ** 63n + 5n);
    expect(m.sint(2)).toBe(-7);
    expect(m.string(3)).toBe('x');
    expect(m.repeatedUint(4)).toEqual([1, 2]);
    expect(m.repeatedUint(5)).toEqual([3, 4]); // field 5 read as a packed list
    expect(m.bool(6)).toBe(true);
    expect(m.has(7)).toBe(false);
    expect(() => new ProtoMessage(Buffer.from('0a05ab', 'hex'))).toThrow(/truncated/);
  });
});

describe('Hadoop IPC framing', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** A server that records what the client sends and answers with `answer(callId)`. */
  async function serve(answer: (callId: number, method: string, socket: Socket) => void): Promise<{ port: number; received: Buffer[] }> {
    const received: Buffer[] = [];
    server = createServer((socket) => {
      let input = Buffer.alloc(0);
      let preamble = false;
      socket.on('data', (d: Buffer) => {
        input = Buffer.concat([input, d]);
        if (!preamble && input.length >= 7) {
          received.push(input.subarray(0, 7));
          input = input.subarray(7);
          preamble = true;
        }
        while (preamble && input.length >= 4 && input.length >= 4 + input.readUInt32BE(0)) {
          const frame = input.subarray(4, 4 + input.readUInt32BE(0));
          input = input.subarray(4 + frame.length);
          received.push(frame);
          const headerLen = frame[0]!;
          const header = new ProtoMessage(frame.subarray(1, 1 + headerLen));
          const callId = header.sint(3);
          if (callId >= 0) {
            const rest = frame.subarray(1 + headerLen);
            const method = new ProtoMessage(rest.subarray(1, 1 + rest[0]!)).string(1);
            answer(callId, method, socket);
          }
        }
      });
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as { port: number }).port, received };
  }

  function respond(socket: Socket, header: ProtoWriter, body?: Buffer): void {
    const parts = [delimited(header.finish()), ...(body ? [delimited(body)] : [])];
    const len = Buffer.alloc(4);
    len.writeUInt32BE(parts.reduce((n, p) => n + p.length, 0));
    socket.write(Buffer.concat([len, ...parts]));
  }

  it('sends the preamble, the connection context (call id -3, zigzag) and each call as delimited headers and request', async () => {
    const { port, received } = await serve((callId, _method, socket) => respond(socket, new ProtoWriter().uint(1, callId).uint(2, 0), new ProtoWriter().uint(1, 42).finish()));
    const client = new HadoopIpcClient({
      host: '127.0.0.1',
      port,
      protocol: 'org.example.P',
      protocolVersion: 1,
      user: 'alice',
      timeoutMs: 5000,
    });
    const answer = new ProtoMessage(await client.call('getThing', new ProtoWriter().string(1, '/a').finish()));
    client.close();
    expect(answer.uint(1)).toBe(42);
    // "hrpc", version 9, service class 0, auth NONE.
    expect(received[0]!.toString('hex')).toBe('68727063090000');
    const context = received[1]!;
    const ctxHeader = new ProtoMessage(context.subarray(1, 1 + context[0]!));
    expect([ctxHeader.uint(1), ctxHeader.uint(2), ctxHeader.sint(3), ctxHeader.bytes(4)!.length, ctxHeader.sint(5)]).toEqual([2, 0, -3, 16, -1]);
    const ctx = new ProtoMessage(context.subarray(2 + context[0]!));
    expect([ctx.message(2)!.string(1), ctx.string(3)]).toEqual(['alice', 'org.example.P']);
    const call = received[2]!;
    const callHeader = new ProtoMessage(call.subarray(1, 1 + call[0]!));
    expect(callHeader.sint(3)).toBe(0);
    expect(callHeader.bytes(4)).toEqual(ctxHeader.bytes(4)); // one client id per client
    const rest = call.subarray(1 + call[0]!);
    const req = new ProtoMessage(rest.subarray(1, 1 + rest[0]!));
    expect([req.string(1), req.string(2), req.uint(3)]).toEqual(['getThing', 'org.example.P', 1]);
    expect(new ProtoMessage(rest.subarray(2 + rest[0]!)).string(1)).toBe('/a');
  });

  it("turns an error answer into the server's exception class and message", async () => {
    const { port } = await serve((callId, _method, socket) =>
      respond(
        socket,
        new ProtoWriter()
          .uint(1, callId)
          .uint(2, 1)
          .string(4, 'org.apache.hadoop.fs.FileAlreadyExistsException')
          .string(5, '/a for client 127.0.0.1 already exists\n\tat org.apache…'),
      ),
    );
    const client = ipcClient(port);
    const err = await client.call('create', Buffer.alloc(0)).catch((e: unknown) => e);
    client.close();
    expect(err).toBeInstanceOf(HadoopRemoteError);
    expect((err as HadoopRemoteError).simpleName).toBe('FileAlreadyExistsException');
    expect((err as Error).message).toBe('create: FileAlreadyExistsException: /a for client 127.0.0.1 already exists');
  });

  it('a refused connection says which namenode address it tried', async () => {
    const { port } = await serve(() => undefined);
    server!.close();
    await once(server!, 'close');
    server = undefined;
    const client = ipcClient(port);
    await expect(client.call('x', Buffer.alloc(0))).rejects.toThrow(`cannot reach the HDFS namenode at 127.0.0.1:${port}: connection refused`);
  });
});

describe('DataTransferProtocol packets', () => {
  it('frames a packet: payload length, header length, fixed-size header, a CRC-32C per 512-byte chunk, then the data', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // CRC-32C's check value
    const data = Buffer.alloc(600, 0x61);
    const p = encodePacket(1024, 7, false, [data.subarray(0, 100), data.subarray(100)], 600, 512);
    expect(p.readInt32BE(0)).toBe(4 + 8 + 600); // itself, two checksums, the data
    expect(p.readUInt16BE(4)).toBe(25);
    const header = p.subarray(6, 31);
    expect(header.toString('hex')).toBe('09' + '0004000000000000' + '11' + '0700000000000000' + '1800' + '25' + '58020000');
    expect(p.readUInt32BE(31)).toBe(crc32c(data, 0, 512));
    expect(p.readUInt32BE(35)).toBe(crc32c(data, 512, 600));
    expect(p.subarray(39)).toEqual(data);
    const last = encodePacket(4096, 8, true, [], 0, 512);
    expect(last.length).toBe(6 + 25);
    expect(last.readInt32BE(0)).toBe(4);
    expect(last[6 + 19]).toBe(1); // lastPacketInBlock
  });

  it("sends the same bytes when the data goes out from the caller's buffers (chunks split between buffers included)", () => {
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 251));
    for (const cuts of [[3000], [100, 2900], [512, 2488], [700, 5, 1800, 495], [1, 1, 2998]]) {
      const pieces: Buffer[] = [];
      let at = 0;
      for (const n of cuts) pieces.push(data.subarray(at, (at += n)));
      const meta = Buffer.alloc(200);
      const end = writePacketMeta(meta, 0, 4096, 3, false, pieces, 3000, 512);
      expect(Buffer.concat([meta.subarray(0, end), ...pieces])).toEqual(encodePacket(4096, 3, false, [data], 3000, 512));
    }
  });

  it('reads a pipeline ack: the sequence number (zigzag) and one status per datanode', () => {
    expect(decodeAck(new ProtoWriter().sint(1, 5).uint(2, 0).uint(2, 0).finish())).toEqual({ seqno: 5, replies: [0, 0] });
    expect(decodeAck(new ProtoWriter().sint(1, -1).uint(2, 0).finish())).toEqual({ seqno: -1, replies: [0] });
  });
});

describe('namenode address', () => {
  it("takes host[:port] from an hdfs:// authority, port 8020 by default as Hadoop's", () => {
    expect(namenodeAddress('nn1')).toEqual({ host: 'nn1', port: 8020 });
    expect(namenodeAddress('nn1:9000')).toEqual({ host: 'nn1', port: 9000 });
    expect(namenodeAddress('[::1]:8021')).toEqual({ host: '::1', port: 8021 });
    expect(() => namenodeAddress('nn1:x')).toThrow('`nn1:x` is not a namenode address: write host[:port]');
  });
});
