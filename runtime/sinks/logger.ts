// The logger sink: logs each event at INFO as Flume does,
// `Event: { headers:{k=v} body: 68 65 6C 6C 6F    ...   hello }` — a hex dump of at most
// maxBytesToLog body bytes, 16 to a row. One event per transaction, like Flume's.
import type { SinkFactory } from '../core/component.js';
import { need, paramNumber } from '../core/config.js';
import { javaMapText, type Event } from '../core/event.js';
import { processBatch } from '../lib/sink-batch.js';

const HEX = '0123456789ABCDEF';

/** Rows of `XX ` columns followed by the printable bytes, each row starting with a space. */
export function hexDump(body: Buffer, max: number): string {
  const n = Math.min(body.length, max);
  const rows: string[] = [];
  for (let row = 0; row < n; row += 16) {
    let hex = ' ';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (row + i < n) {
        const b = body[row + i]!;
        hex += `${HEX[b >> 4]}${HEX[b & 15]} `;
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    rows.push(hex + ascii);
  }
  return rows.join('\n');
}

export function eventText(e: Event, max: number): string {
  return `Event: { headers:${javaMapText(e.headers)} body:${hexDump(e.body, max)} }`;
}

const create: SinkFactory = (config, ctx) => {
  const max = need(paramNumber(config.params, 'maxBytesToLog'), config.name, 'maxBytesToLog');
  return {
    process: () =>
      processBatch(ctx.channel, 1, (events) => {
        for (const e of events) ctx.log.info(eventText(e, max));
      }),
  };
};

export default create;
