// Carries out one attack over a real loopback socket and tells what it got back: the number
// of events the agent acknowledged (netcat `OK` lines, HTTP 200 for an exactly framed
// request) and the start of the reply.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { FrameDecoder } from '../../../runtime/rpc/frame.js';
import type { Attack } from './attacks.js';

export interface AttackResult {
  acked: number;
  /** The first bytes answered (for the failure reports). */
  reply: string;
}

/** Longest a client waits for the agent to answer or hang up after its last write. */
const QUIET_MS = 3000;

export function execute(attack: Attack, ports: number[]): Promise<AttackResult> {
  const port = ports[attack.port] ?? ports[0]!;
  return attack.mode === 'datagram' ? sendDatagrams(attack, port) : overTcp(attack, port);
}

async function sendDatagrams(attack: Attack, port: number): Promise<AttackResult> {
  const s = createSocket('udp4');
  try {
    for (const d of attack.chunks) {
      await new Promise<void>((resolve) => s.send(d, port, '127.0.0.1', () => resolve()));
    }
  } finally {
    s.close();
  }
  return { acked: 0, reply: '' };
}

function overTcp(attack: Attack, port: number): Promise<AttackResult> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const replies: Buffer[] = [];
    let replyBytes = 0;
    let okLines = 0;
    let carry = '';
    // Avro replies: an OK status is the last buffer, two zero bytes (no error, status 0).
    let avroOks = 0;
    const avro = new FrameDecoder((f) => {
      if (f.bufferLengths.at(-1) === 2 && f.payload.length >= 3 && f.payload.readUInt16BE(f.payload.length - 2) === 0) avroOks++;
    });
    let avroBroken = false;
    let done = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      socket.destroy();
      const reply = Buffer.concat(replies).toString('latin1');
      let acked = 0;
      if (attack.source === 'netcat') acked = okLines;
      else if (attack.source === 'avro') acked = attack.acks !== undefined && !avroBroken && avroOks === attack.frames ? attack.acks : 0;
      else if (attack.acks !== undefined && /^HTTP\/1\.1 200 /.test(reply)) acked = attack.acks;
      resolve({ acked, reply: reply.slice(0, 300) });
    };
    const armQuiet = (ms: number) => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, ms);
    };
    socket.on('data', (d: Buffer) => {
      if (replyBytes < 4096) replies.push(d.subarray(0, 4096 - replyBytes));
      replyBytes += d.length;
      if (attack.source === 'avro' && !avroBroken) {
        try {
          avro.push(d);
        } catch {
          avroBroken = true;
        }
      }
      if (attack.source === 'netcat') {
        // Count whole `OK` lines only, across chunk boundaries.
        const lines = (carry + d.toString('latin1')).split('\n');
        carry = lines.pop()!;
        for (const l of lines) if (l === 'OK') okLines++;
      }
      armQuiet(QUIET_MS + attack.holdMs);
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      void (async () => {
        for (const [i, chunk] of attack.chunks.entries()) {
          if (done) return;
          if (i > 0 && attack.delayMs > 0) await new Promise((r) => setTimeout(r, attack.delayMs));
          if (!socket.writable) break;
          socket.write(chunk);
        }
        if (done) return;
        if (attack.mode === 'reset') {
          socket.resetAndDestroy();
          finish();
          return;
        }
        if (attack.mode === 'hold') {
          armQuiet(attack.holdMs);
          return;
        }
        // Half-close: the request is complete; the agent answers and hangs up, or goes quiet.
        socket.end();
        armQuiet(QUIET_MS + attack.holdMs);
      })();
    });
  });
}
