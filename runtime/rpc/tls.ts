// TLS settings of the avro source and sink, read from Java-style keystore and truststore
// options. Node reads PKCS12 and PEM; a JKS file gets an error that says how to convert it.
// The file's content decides its format (Java 17 also reads a PKCS12 file whose type says
// JKS), so only a real JKS or JCEKS file is refused.
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { ConfigError, paramBool, paramList, paramString, type Params } from '../core/config.js';

export interface KeystoreOptions {
  keystore?: string;
  keystorePassword?: string;
  keystoreType?: string;
  /** TLS versions to refuse, Java names (`SSLv3`, `TLSv1`, `TLSv1.1` …). */
  excludeProtocols?: string[];
  includeProtocols?: string[];
}

export interface TruststoreOptions {
  trustAllCerts?: boolean;
  truststore?: string;
  truststorePassword?: string;
  truststoreType?: string;
  excludeProtocols?: string[];
  includeProtocols?: string[];
}

/** The keystore settings of a source's properties (`ssl`, `keystore`, … as Flume names them). */
export function keystoreParams(p: Params): KeystoreOptions {
  return {
    keystore: paramString(p, 'keystore'),
    keystorePassword: paramString(p, 'keystore-password'),
    keystoreType: paramString(p, 'keystore-type'),
    excludeProtocols: paramList(p, 'exclude-protocols'),
    includeProtocols: paramList(p, 'include-protocols'),
  };
}

/** The truststore settings of a sink's properties (`trust-all-certs`, `truststore`, …). */
export function truststoreParams(p: Params): TruststoreOptions {
  return {
    trustAllCerts: paramBool(p, 'trust-all-certs') ?? false,
    truststore: paramString(p, 'truststore'),
    truststorePassword: paramString(p, 'truststore-password'),
    truststoreType: paramString(p, 'truststore-type'),
    excludeProtocols: paramList(p, 'exclude-protocols'),
    includeProtocols: paramList(p, 'include-protocols'),
  };
}

type Format = 'PKCS12' | 'PEM' | 'JKS' | 'JCEKS' | 'unknown';

function sniff(data: Buffer): Format {
  if (data.length >= 4 && data.readUInt32BE(0) === 0xfeedfeed) return 'JKS';
  if (data.length >= 4 && data.readUInt32BE(0) === 0xcececece) return 'JCEKS';
  if (data.includes('-----BEGIN ')) return 'PEM';
  if (data[0] === 0x30) return 'PKCS12';
  return 'unknown';
}

function readStore(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

function jksError(path: string, what: 'keystore' | 'truststore', format: string): ConfigError {
  const out = path.replace(/\.(jks|jceks|keystore)$/i, '') + '.p12';
  return new ConfigError(
    `the ${what} ${path} is a ${format} file, which flowc cannot read; convert it to PKCS12 with\n` +
      `  keytool -importkeystore -srckeystore ${path} -srcstoretype ${format} -destkeystore ${out} -deststoretype PKCS12\n` +
      `and set ${what} = "${out}" and ${what}-type = "PKCS12" (or use PEM files made with openssl)`,
  );
}

const JAVA_TO_NODE: Record<string, string> = { SSLv3: 'SSLv3', TLSv1: 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };
const ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** min/max versions from Java's include/exclude lists (Node allows one contiguous range). */
function versionRange(include?: string[], exclude?: string[]): { minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } {
  const allowed = ORDER.filter((v) => (!include?.length || include.some((i) => JAVA_TO_NODE[i] === v)) && !exclude?.some((x) => JAVA_TO_NODE[x] === v));
  if (allowed.length === 0) throw new ConfigError('the include-protocols and exclude-protocols settings leave no TLS version to use');
  if (allowed.length === ORDER.length) return {};
  return { minVersion: allowed[0], maxVersion: allowed[allowed.length - 1] };
}

/** The server's TLS context: its key and certificate from the keystore. */
export function serverSecureContext(o: KeystoreOptions): SecureContext {
  const path = o.keystore ?? process.env.FLUME_SSL_KEYSTORE_PATH;
  const password = o.keystorePassword ?? process.env.FLUME_SSL_KEYSTORE_PASSWORD;
  if (!path) throw new ConfigError('ssl is on but no keystore is set (set keystore, or FLUME_SSL_KEYSTORE_PATH)');
  const data = readStore(path, 'keystore');
  const format = sniff(data);
  if (format === 'JKS' || format === 'JCEKS') throw jksError(path, 'keystore', format);
  const range = versionRange(o.includeProtocols, o.excludeProtocols);
  try {
    if (format === 'PEM') return createSecureContext({ key: data, cert: data, passphrase: password, ...range });
    if (format === 'PKCS12') return createSecureContext({ pfx: data, passphrase: password ?? '', ...range });
  } catch (e) {
    throw new ConfigError(`cannot use the keystore ${path}: ${(e as Error).message} (is keystore-password right?)`);
  }
  throw new ConfigError(`the keystore ${path} is neither PKCS12 nor PEM (keystore-type ${o.keystoreType ?? 'JKS'})`);
}

/** Certificates a client trusts, as PEM or DER, from a truststore (PEM, or PKCS12 with a key entry). */
export function trustedCertificates(path: string, password: string | undefined): (string | Buffer)[] {
  const data = readStore(path, 'truststore');
  const format = sniff(data);
  if (format === 'JKS' || format === 'JCEKS') throw jksError(path, 'truststore', format);
  if (format === 'PEM') return [data];
  if (format === 'PKCS12') {
    // Java trusts the certificate of each key entry as well as the trusted-certificate
    // entries. Node reads PKCS12 only through a key; that covers the common self-signed case.
    try {
      const ctx = createSecureContext({ pfx: data, passphrase: password ?? '' }) as SecureContext & { context: { getCertificate(): Buffer | null } };
      const der = ctx.context.getCertificate();
      if (der) return [`-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`];
    } catch {
      // a truststore without a key entry: said below
    }
    throw new ConfigError(
      `cannot read the certificates of the PKCS12 truststore ${path} (flowc reads PKCS12 files that hold a key entry); ` +
        `export its certificates as PEM with\n  openssl pkcs12 -in ${path} -nokeys -out ${path.replace(/\.(p12|pfx|pkcs12)$/i, '')}.pem\n` +
        'and set truststore to that file and truststore-type = "PEM"',
    );
  }
  throw new ConfigError(`the truststore ${path} is neither PKCS12 nor PEM`);
}

/** A client's own key and certificate (mutual TLS) from a PKCS12 or PEM keystore. */
export function clientKeyMaterial(path: string, password: string | undefined, keyPassword?: string): { pfx: Buffer; passphrase: string } | { key: Buffer; cert: Buffer; passphrase?: string } {
  const data = readStore(path, 'keystore');
  const format = sniff(data);
  if (format === 'JKS' || format === 'JCEKS') throw jksError(path, 'keystore', format);
  if (format === 'PEM') return { key: data, cert: data, passphrase: keyPassword ?? password };
  if (format === 'PKCS12') return { pfx: data, passphrase: password ?? '' };
  throw new ConfigError(`the keystore ${path} is neither PKCS12 nor PEM`);
}

export interface ClientTlsOptions {
  rejectUnauthorized: boolean;
  ca?: (string | Buffer)[];
  checkServerIdentity: () => undefined;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

/**
 * The client's TLS options. As Flume's client: trust-all-certs accepts any certificate; otherwise
 * the truststore (or the system's CAs); no host name check.
 */
export function clientTlsOptions(o: TruststoreOptions): ClientTlsOptions {
  const range = versionRange(o.includeProtocols, o.excludeProtocols);
  const base = { checkServerIdentity: () => undefined, ...range };
  if (o.trustAllCerts) return { rejectUnauthorized: false, ...base };
  const path = o.truststore ?? process.env.FLUME_SSL_TRUSTSTORE_PATH;
  if (!path) return { rejectUnauthorized: true, ...base };
  return { rejectUnauthorized: true, ca: trustedCertificates(path, o.truststorePassword ?? process.env.FLUME_SSL_TRUSTSTORE_PASSWORD), ...base };
}
