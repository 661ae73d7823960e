// Flume 1.11 interceptors. The class name is the `$Builder` that Flume instantiates.
// Keys and defaults follow flume-ng-core `interceptor/*` and the morphline-solr module.
import type { ComponentSpec } from './types.js';

/** Settings read by Kite morphline handlers (fault tolerance and variables). */
const morphlineRuntime = [
  { name: 'morphlineVariable.*', type: 'string', doc: 'Values substituted for variables in the morphline file.' },
  {
    name: 'isProductionMode',
    type: 'boolean',
    default: false,
    doc: 'Log and skip events that fail with unrecoverable errors instead of stopping.',
  },
  {
    name: 'recoverableExceptionClasses',
    type: 'list',
    listSeparator: 'comma',
    doc: 'Exception classes treated as temporary, so the work is retried.',
  },
  {
    name: 'isIgnoringRecoverableExceptions',
    type: 'boolean',
    default: false,
    doc: 'Log and skip events that fail with recoverable errors too.',
  },
] as const;

export const interceptors: readonly ComponentSpec[] = [
  {
    category: 'interceptor',
    kind: 'timestamp',
    aliases: ['timestamp'],
    flumeAlias: 'timestamp',
    className: 'org.apache.flume.interceptor.TimestampInterceptor$Builder',
    doc: 'Stamps each event with the current time in epoch milliseconds.',
    headers: [{ headerProperty: 'headerName' }],
    properties: [
      { name: 'headerName', type: 'string', default: 'timestamp', doc: 'Header that receives the time.' },
      { name: 'preserveExisting', type: 'boolean', default: false, doc: 'Leave the header alone when the event already has it.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'host',
    aliases: ['host'],
    flumeAlias: 'host',
    className: 'org.apache.flume.interceptor.HostInterceptor$Builder',
    doc: 'Adds the IP address or host name of the agent machine to each event.',
    headers: [{ headerProperty: 'hostHeader' }],
    properties: [
      { name: 'hostHeader', type: 'string', default: 'host', doc: 'Header that receives the address.' },
      { name: 'useIP', type: 'boolean', default: true, doc: 'Use the IP address; false uses the canonical host name.' },
      { name: 'preserveExisting', type: 'boolean', default: false, doc: 'Leave the header alone when the event already has it.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'static',
    aliases: ['static'],
    flumeAlias: 'static',
    className: 'org.apache.flume.interceptor.StaticInterceptor$Builder',
    doc: 'Adds one fixed header to every event.',
    headers: [{ headerProperty: 'key' }],
    properties: [
      { name: 'key', type: 'string', default: 'key', doc: 'Name of the header to add.' },
      { name: 'value', type: 'string', default: 'value', doc: 'Value of the header to add.' },
      { name: 'preserveExisting', type: 'boolean', default: true, doc: 'Leave the header alone when the event already has it.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'remove_header',
    aliases: ['remove_header'],
    flumeAlias: 'remove_header',
    className: 'org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder',
    doc: 'Deletes headers chosen by name, by list or by regular expression.',
    properties: [
      { name: 'withName', type: 'string', doc: 'Exact name of one header to delete.' },
      { name: 'fromList', type: 'string', doc: 'Names of headers to delete, separated by fromListSeparator.' },
      {
        name: 'fromListSeparator',
        type: 'string',
        default: '\\s*,\\s*',
        doc: 'Regular expression that separates the names in fromList.',
      },
      { name: 'matching', type: 'string', doc: 'Regular expression; every header whose whole name matches is deleted.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'uuid',
    aliases: [],
    className: 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder',
    doc: 'Gives each event a random UUID in a header, optionally with a prefix.',
    headers: [{ headerProperty: 'headerName' }],
    properties: [
      { name: 'headerName', type: 'string', default: 'id', doc: 'Header that receives the UUID.' },
      { name: 'preserveExisting', type: 'boolean', default: true, doc: 'Leave the header alone when the event already has it.' },
      { name: 'prefix', type: 'string', default: '', doc: 'Text put before every UUID.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'search_replace',
    aliases: ['search_replace'],
    flumeAlias: 'search_replace',
    className: 'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder',
    doc: 'Rewrites event bodies by replacing every match of a regular expression.',
    properties: [
      { name: 'searchPattern', type: 'string', required: true, doc: 'Regular expression to look for in the body.' },
      {
        name: 'replaceString',
        type: 'string',
        default: '',
        doc: 'Replacement text; $1 and the like refer to groups of the pattern.',
      },
      { name: 'charset', type: 'string', default: 'UTF-8', doc: 'Character set of the body.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'regex_filter',
    aliases: ['regex_filter'],
    flumeAlias: 'regex_filter',
    className: 'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder',
    doc: 'Keeps or drops events depending on whether their body contains a match of a regular expression.',
    properties: [
      { name: 'regex', type: 'string', default: '.*', doc: 'Regular expression searched for in the body.' },
      {
        name: 'excludeEvents',
        type: 'boolean',
        default: false,
        doc: 'Drop the matching events instead of keeping only them.',
      },
    ],
  },
  {
    category: 'interceptor',
    kind: 'regex_extractor',
    aliases: ['regex_extractor'],
    flumeAlias: 'regex_extractor',
    className: 'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder',
    doc: 'Copies the groups of a regular expression match in the body into headers.',
    // The headers are named by `serializers.<s>.name`; the checker reads those itself.
    properties: [
      { name: 'regex', type: 'string', required: true, doc: 'Regular expression whose groups are extracted.' },
      {
        name: 'serializers',
        type: 'list',
        listSeparator: 'space',
        required: true,
        doc: 'Names of the serializers, one per group of the expression, in order.',
      },
      {
        name: 'serializers.<s>.name',
        type: 'string',
        required: true,
        doc: 'Header that receives the group handled by this serializer.',
      },
      {
        name: 'serializers.<s>.type',
        type: 'enum',
        values: ['DEFAULT'],
        caseSensitive: true,
        allowsClassName: true,
        default: 'DEFAULT',
        doc: 'How the group text is turned into the header value: as is, or by a serializer class.',
      },
      {
        name: 'serializers.<s>.pattern',
        type: 'string',
        doc: 'Joda date pattern for RegexExtractorInterceptorMillisSerializer, which stores epoch milliseconds.',
      },
      { name: 'serializers.<s>.*', type: 'string', doc: 'Options handed to a custom serializer.' },
    ],
  },
  {
    category: 'interceptor',
    kind: 'morphline',
    aliases: [],
    className: 'org.apache.flume.sink.solr.morphline.MorphlineInterceptor$Builder',
    doc: 'Runs each event through a Kite morphline that may rewrite, split or drop it.',
    properties: [
      { name: 'morphlineFile', type: 'string', required: true, doc: 'Path of the morphline configuration file.' },
      { name: 'morphlineId', type: 'string', doc: 'Which morphline of the file to run, when it holds several.' },
      ...morphlineRuntime,
    ],
  },
];
