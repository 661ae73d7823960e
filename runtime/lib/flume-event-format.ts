// Flume's event format on Kafka (`useFlumeEventFormat` of the Kafka source and sink,
// `parseAsFlumeEvent` of the Kafka channel): a record's value is one `AvroFlumeEvent`
// (headers map<string,string>, body bytes) as a bare Avro binary datum, with no container and
// no schema in front: what Flume's SpecificDatumWriter writes and its reader expects.
// Encoding is avsc's, with the record schema of Flume's RPC protocol; decoding is the bounded
// reader of rpc/ (a record comes from the network: a count or length that cannot be right is
// an error, never an allocation, and any string is a header name, `__proto__` included).
import avro from 'avsc';
import type { Event } from '../core/event.js';
import { AvroReader } from '../rpc/reader.js';
import { readEvent } from '../rpc/protocol.js';

const avroFlumeEvent = avro.Type.forSchema({
  type: 'record',
  name: 'AvroFlumeEvent',
  namespace: 'org.apache.flume.source.avro',
  fields: [
    { name: 'headers', type: { type: 'map', values: 'string' } },
    { name: 'body', type: 'bytes' },
  ],
});

/** One event as Flume writes it to Kafka with the Flume event format. */
export function encodeFlumeEvent(event: Event): Buffer {
  return avroFlumeEvent.toBuffer(event);
}

/** A record value written with the Flume event format; throws AvroDecodeError when it is not one. */
export function decodeFlumeEvent(value: Buffer): Event {
  const r = new AvroReader(value);
  const event = readEvent(r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} byte(s) follow the event: the value is not one AvroFlumeEvent`);
  return event;
}
