// Flume 1.11 config filters, which fill `${filter['KEY']}` placeholders. Properties are
// relative to the filter.
import type { ComponentSpec } from './types.js';

export const configFilters: readonly ComponentSpec[] = [
  {
    category: 'configFilter',
    kind: 'env',
    aliases: ['env'],
    flumeAlias: 'env',
    className: 'org.apache.flume.configfilter.EnvironmentVariableConfigFilter',
    doc: 'Replaces each placeholder with the environment variable of that name.',
    properties: [],
  },
  {
    category: 'configFilter',
    kind: 'hadoop',
    aliases: ['hadoop'],
    flumeAlias: 'hadoop',
    className: 'org.apache.flume.configfilter.HadoopCredentialStoreConfigFilter',
    doc: 'Replaces each placeholder with a password read from a Hadoop credential store.',
    properties: [
      {
        name: 'credential.provider.path',
        type: 'string',
        required: true,
        doc: 'Hadoop credential provider URI, such as jceks://file/path/to/store.jceks.',
      },
      {
        name: 'credstore.java-keystore-provider.password-file',
        type: 'string',
        doc: 'Classpath file with the store password, when the store is not protected by the default one.',
      },
    ],
  },
  {
    category: 'configFilter',
    kind: 'external',
    aliases: ['external'],
    flumeAlias: 'external',
    className: 'org.apache.flume.configfilter.ExternalProcessConfigFilter',
    doc: 'Replaces each placeholder with the first line printed by a command given the key as argument.',
    properties: [
      {
        name: 'command',
        type: 'string',
        required: true,
        doc: 'Command to run; split on whitespace, with the key appended as the last argument.',
      },
      { name: 'charset', type: 'string', default: 'UTF-8', doc: 'Character set of the command output.' },
    ],
  },
];
