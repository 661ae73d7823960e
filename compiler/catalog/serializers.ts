// Flume 1.11 event serializers, chosen by the hdfs `serializer` and file_roll
// `sink.serializer` properties. The class name is the `$Builder`; properties are relative
// to the serializer (`serializer.appendNewline` is `appendNewline` here).
import type { ComponentSpec } from './types.js';

export const serializers: readonly ComponentSpec[] = [
  {
    category: 'serializer',
    kind: 'text',
    aliases: ['text'],
    flumeAlias: 'text',
    className: 'org.apache.flume.serialization.BodyTextEventSerializer$Builder',
    doc: 'Writes the body of each event as it is, one event per line.',
    properties: [
      { name: 'appendNewline', type: 'boolean', default: true, doc: 'Write a newline after each body.' },
    ],
  },
  {
    category: 'serializer',
    kind: 'header_and_text',
    aliases: ['header_and_text'],
    flumeAlias: 'header_and_text',
    className: 'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder',
    doc: 'Writes the headers as a {k=v, ...} map, a space, then the body, one event per line.',
    properties: [
      { name: 'appendNewline', type: 'boolean', default: true, doc: 'Write a newline after each event.' },
    ],
  },
  {
    category: 'serializer',
    kind: 'avro_event',
    aliases: ['avro_event'],
    flumeAlias: 'avro_event',
    className: 'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder',
    doc: 'Writes an Avro container file of records holding the headers and body of each event.',
    properties: [
      {
        name: 'syncIntervalBytes',
        type: 'int',
        unit: 'bytes',
        default: 2048000,
        min: 1,
        doc: 'Approximate size of each block between sync markers.',
      },
      {
        name: 'compressionCodec',
        type: 'string',
        default: 'null',
        doc: 'Avro codec for the blocks, such as deflate or snappy; null stores them uncompressed.',
      },
    ],
  },
  {
    category: 'serializer',
    kind: 'hdfs_avro',
    aliases: [],
    className: 'org.apache.flume.sink.hdfs.AvroEventSerializer$Builder',
    doc: 'Writes event bodies that are already Avro records into an Avro container file, using the schema the event names.',
    properties: [
      {
        name: 'syncIntervalBytes',
        type: 'int',
        unit: 'bytes',
        default: 2048000,
        min: 1,
        doc: 'Approximate size of each block between sync markers.',
      },
      {
        name: 'compressionCodec',
        type: 'string',
        default: 'null',
        doc: 'Avro codec for the blocks, such as deflate or snappy; null stores them uncompressed.',
      },
      {
        name: 'schemaURL',
        type: 'string',
        doc: 'URL of the record schema, used for every event instead of the schema headers.',
      },
    ],
  },
];
