// A WebHDFS REST client (the HTTP API every HDFS namenode serves, /webhdfs/v1), on node:http(s)
// with keep-alive connections. The hdfs sink writes through it; nothing here needs a JVM.
//
// Writes are two steps, as in Hadoop's own WebHdfsFileSystem: the namenode answers CREATE or
// APPEND with a 307 to a datanode, which takes the bytes. The datanode closes its HDFS output
// stream before it answers, so once append() resolves the bytes are in HDFS and visible to
// every reader: this is the durability point of a sink's batch.
//
// The datanode sends an unasked-for `100 Continue` before its answer; node:http passes over
// informational responses (fetch/undici rejects them), so this client stays on node:http.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Hadoop 3's default namenode HTTP port (dfs.namenode.http-address), which serves WebHDFS. */
export const DEFAULT_WEBHDFS_PORT = 9870;

export interface WebHdfsOptions {
  /**
   * The namenode's HTTP address(es): `http://host:port` or `https://host:port`. Several (an HA
   * pair) are tried in turn: a namenode that is down or answers StandbyException passes the
   * call to the next one.
   */
  namenodes: string | readonly string[];
  /** Sent as `user.name` (simple authentication); default: the USER environment variable or `flume`. */
  user?: string | undefined;
  /** Longest time one HTTP exchange may take, including the upload of its body (default 30 s). */
  timeoutMs?: number | undefined;
  /** For https namenodes with a private CA: passed to node:https. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean } | undefined;
}

export interface FileStatus {
  /** The entry's name within its directory ("" for getFileStatus). */
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
  accessTime: number;
  owner: string;
  group: string;
  permission: string;
  replication: number;
  blockSize: number;
}

/** HDFS's own error, as WebHDFS reports it (`{"RemoteException":{…}}`). */
export interface RemoteException {
  exception: string;
  javaClassName: string;
  message: string;
}

/** A failed WebHDFS call, naming the operation, the path and HDFS's reason. */
export class WebHdfsError extends Error {
  override name = 'WebHdfsError';
  constructor(
    readonly op: string,
    readonly path: string,
    /** The HTTP status, or 0 when no answer came (connection refused, timeout). */
    readonly status: number,
    readonly remote: RemoteException | undefined,
    detail: string,
  ) {
    super(`WebHDFS ${op} ${path} failed: ${detail}`);
  }
  /** FileNotFoundException: the path (or, for create, its parent) does not exist. */
  get notFound(): boolean {
    return this.status === 404 || this.remote?.exception === 'FileNotFoundException';
  }
  /** FileAlreadyExistsException: create without overwrite on an existing path. */
  get alreadyExists(): boolean {
    return this.remote?.exception === 'FileAlreadyExistsException';
  }
}

/**
 * Bytes made while they are sent: `length` in all, yielded by `chunks()` a piece at a time (the
 * upload starts before the last piece exists, and no buffer of the whole body is needed).
 * `chunks()` may be called again, for a resend, and yields the same bytes.
 */
export interface StreamedBody {
  length: number;
  chunks(): Iterable<Buffer>;
}

/** A body: one buffer, buffers sent one after the other, or a StreamedBody. */
export type Body = Buffer | readonly Buffer[] | StreamedBody;

interface Exchange {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const MAX_ERROR_BODY = 64 * 1024;

export class WebHdfsClient {
  private readonly namenodes: URL[];
  private active = 0;
  private readonly user: string;
  private readonly timeoutMs: number;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent: HttpsAgent;
  /** Appends to one file run one after the other (HDFS allows one writer per file). */
  private readonly appendQueues = new Map<string, Promise<unknown>>();

  constructor(options: WebHdfsOptions) {
    const list = typeof options.namenodes === 'string' ? options.namenodes.split(',') : options.namenodes;
    this.namenodes = list.map((s) => s.trim()).filter((s) => s !== '').map(parseNamenodeUrl);
    if (this.namenodes.length === 0) throw new Error('WebHDFS: no namenode address given');
    this.user = options.user ?? process.env['USER'] ?? 'flume';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64, ...options.tls });
  }

  /** The namenode address in use (the first one until a failover). */
  get namenode(): string {
    return this.namenodes[this.active]!.origin;
  }

  /** Creates a directory and its missing parents; true when it exists afterwards. */
  async mkdirs(path: string, permission?: string): Promise<boolean> {
    const r = await this.namenodeCall('MKDIRS', 'PUT', path, permission ? { permission } : {});
    return (jsonOf('MKDIRS', path, r) as { boolean: boolean }).boolean;
  }

  /**
   * Creates a file with these bytes (parents are created, as Hadoop's create does). Fails with
   * FileAlreadyExistsException when the path exists, unless `overwrite`.
   */
  async create(path: string, data: Body = [], opts: { overwrite?: boolean; permission?: string; replication?: number; blockSize?: number } = {}): Promise<void> {
    const params: Record<string, string> = { overwrite: String(opts.overwrite ?? false) };
    if (opts.permission) params['permission'] = opts.permission;
    if (opts.replication) params['replication'] = String(opts.replication);
    if (opts.blockSize) params['blocksize'] = String(opts.blockSize);
    await this.twoStepWrite('CREATE', 'PUT', path, params, data, 201);
  }

  /**
   * Appends bytes to an existing file. Resolves once the datanode has written them and closed
   * the stream: a reader sees them from then on. Appends to the same path are queued.
   */
  append(path: string, data: Body): Promise<void> {
    const previous = this.appendQueues.get(path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.twoStepWrite('APPEND', 'POST', path, {}, data, 200));
    this.appendQueues.set(path, next);
    const forget = () => {
      if (this.appendQueues.get(path) === next) this.appendQueues.delete(path);
    };
    next.then(forget, forget);
    return next;
  }

  /** Renames a file or directory; false when HDFS refuses (source missing, destination exists). */
  async rename(path: string, destination: string): Promise<boolean> {
    const r = await this.namenodeCall('RENAME', 'PUT', path, { destination: absolute(destination) });
    return (jsonOf('RENAME', path, r) as { boolean: boolean }).boolean;
  }

  /** The status of a path; throws WebHdfsError (notFound) when it does not exist. */
  async getFileStatus(path: string): Promise<FileStatus> {
    const r = await this.namenodeCall('GETFILESTATUS', 'GET', path, {});
    return (jsonOf('GETFILESTATUS', path, r) as { FileStatus: FileStatus }).FileStatus;
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.getFileStatus(path);
      return true;
    } catch (e) {
      if (e instanceof WebHdfsError && e.notFound) return false;
      throw e;
    }
  }

  /** The entries of a directory (or the file itself), in HDFS's order (by name). */
  async listStatus(path: string): Promise<FileStatus[]> {
    const r = await this.namenodeCall('LISTSTATUS', 'GET', path, {});
    return (jsonOf('LISTSTATUS', path, r) as { FileStatuses: { FileStatus: FileStatus[] } }).FileStatuses.FileStatus;
  }

  /** Reads a file (or `length` bytes from `offset`). */
  async open(path: string, opts: { offset?: number; length?: number } = {}): Promise<Buffer> {
    const params: Record<string, string> = {};
    if (opts.offset) params['offset'] = String(opts.offset);
    if (opts.length !== undefined) params['length'] = String(opts.length);
    const first = await this.namenodeCall('OPEN', 'GET', path, params, [200, 307]);
    if (first.status === 200) return first.body;
    const r = await this.exchange('OPEN', path, 'GET', datanodeUrl('OPEN', path, first), undefined);
    expectStatus('OPEN', path, r, [200]);
    return r.body;
  }

  /** Deletes a path; true when something was deleted. */
  async delete(path: string, opts: { recursive?: boolean } = {}): Promise<boolean> {
    const r = await this.namenodeCall('DELETE', 'DELETE', path, { recursive: String(opts.recursive ?? false) });
    return (jsonOf('DELETE', path, r) as { boolean: boolean }).boolean;
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async twoStepWrite(op: string, method: string, path: string, params: Record<string, string>, data: Body, okStatus: number): Promise<void> {
    const first = await this.namenodeCall(op, method, path, params, [307]);
    const r = await this.exchange(op, path, method, datanodeUrl(op, path, first), data);
    expectStatus(op, path, r, [okStatus, 200, 201]);
  }

  /** A call to the namenode, failing over to the next one when it is down or standby. */
  private async namenodeCall(op: string, method: string, path: string, params: Record<string, string>, okStatuses = [200]): Promise<Exchange> {
    let lastError: unknown;
    for (let tried = 0; tried < this.namenodes.length; tried++) {
      const index = (this.active + tried) % this.namenodes.length;
      const url = new URL(`/webhdfs/v1${encodePath(absolute(path))}`, this.namenodes[index]);
      url.search = new URLSearchParams({ op, 'user.name': this.user, ...params }).toString();
      try {
        const r = await this.exchange(op, path, method, url, undefined);
        const remote = remoteOf(r);
        if (remote?.exception === 'StandbyException' && this.namenodes.length > 1) {
          lastError = errorOf(op, path, r);
          continue;
        }
        this.active = index;
        expectStatus(op, path, r, okStatuses);
        return r;
      } catch (e) {
        if (e instanceof WebHdfsError && e.status === 0 && this.namenodes.length > 1) {
          lastError = e;
          continue;
        }
        throw e;
      }
    }
    throw lastError;
  }

  /**
   * One HTTP exchange. A request that finds its kept-alive connection closed by the server
   * before any answer is sent again once on a new connection (the server saw nothing of it).
   */
  private async exchange(op: string, path: string, method: string, url: URL, data: Body | undefined): Promise<Exchange> {
    try {
      return await this.exchangeOnce(op, path, method, url, data);
    } catch (e) {
      if ((e as { staleSocket?: boolean }).staleSocket) return this.exchangeOnce(op, path, method, url, data);
      throw e;
    }
  }

  private exchangeOnce(op: string, path: string, method: string, url: URL, data: Body | undefined): Promise<Exchange> {
    let chunks: Iterable<Buffer>;
    let length: number;
    if (data === undefined || Buffer.isBuffer(data) || Array.isArray(data)) {
      const list = data === undefined ? [] : Buffer.isBuffer(data) ? [data] : (data as readonly Buffer[]);
      chunks = list;
      length = list.reduce((n, c) => n + c.length, 0);
    } else {
      const streamed = data as StreamedBody;
      chunks = streamed.chunks();
      length = streamed.length;
    }
    const https = url.protocol === 'https:';
    return new Promise<Exchange>((resolve, reject) => {
      let settled = false;
      const fail = (detail: string, extra: object = {}) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(Object.assign(new WebHdfsError(op, path, 0, undefined, detail), extra));
      };
      const headers: Record<string, string | number> = { 'content-length': length };
      if (data !== undefined) headers['content-type'] = 'application/octet-stream';
      const req = (https ? httpsRequest : httpRequest)(url, { method, headers, agent: https ? this.httpsAgent : this.httpAgent }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (d: Buffer) => body.push(d));
        res.on('error', (e) => fail(`the answer from ${url.host} broke off (${e.message})`));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(body) });
        });
      });
      const timer = setTimeout(() => fail(`no answer from ${url.host} within ${this.timeoutMs} ms`), this.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        fail(connectionProblem(e, url), { staleSocket: stale, code: e.code });
      });
      void writeChunks(req, chunks).catch(() => undefined);
    });
  }
}

/** `hdfs://host[:rpcPort]/dir` → the namenode's WebHDFS address (default HTTP port) and the path. */
export function webHdfsTarget(hdfsUri: string, webhdfsAddress?: string): { namenodes: string[]; path: string } {
  // Not new URL(): the path is taken as written (Hadoop's Path does not percent-decode it either).
  const m = /^(hdfs|webhdfs|swebhdfs):\/\/([^/]*)(.*)$/i.exec(hdfsUri);
  if (!m) throw new Error(`${JSON.stringify(hdfsUri)} is not an hdfs:// URI`);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const path = m[3] || '/';
  if (webhdfsAddress && webhdfsAddress.trim() !== '') {
    return { namenodes: webhdfsAddress.split(',').map((s) => parseNamenodeUrl(s.trim()).origin), path };
  }
  if (authority === '') {
    throw new Error(`${JSON.stringify(hdfsUri)} names no namenode host (hdfs:///… uses Hadoop's fs.defaultFS, which flowc does not read): write hdfs://namenode/… or set the WebHDFS address`);
  }
  const uri = new URL(`http://${authority}`);
  // webhdfs://host:port and swebhdfs://host:port name the HTTP address itself, as in Hadoop.
  if (scheme === 'webhdfs') return { namenodes: [`http://${uri.host}`], path };
  if (scheme === 'swebhdfs') return { namenodes: [`https://${uri.host}`], path };
  return { namenodes: [`http://${uri.hostname}:${DEFAULT_WEBHDFS_PORT}`], path };
}

function parseNamenodeUrl(s: string): URL {
  const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `http://${s}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`WebHDFS address ${JSON.stringify(s)} is not http://host:port or https://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`WebHDFS address ${JSON.stringify(s)} must start with http:// or https://`);
  }
  return url;
}

function absolute(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Each path segment percent-encoded (spaces, %, #, ? and non-ASCII are legal in HDFS names). */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function datanodeUrl(op: string, path: string, r: Exchange): URL {
  const location = r.headers.location;
  if (!location) throw new WebHdfsError(op, path, r.status, undefined, 'the namenode redirected without a Location');
  return new URL(location);
}

function remoteOf(r: Exchange): RemoteException | undefined {
  if (r.status < 400) return undefined;
  try {
    const parsed = JSON.parse(r.body.toString('utf8')) as { RemoteException?: RemoteException };
    return parsed.RemoteException;
  } catch {
    return undefined;
  }
}

function errorOf(op: string, path: string, r: Exchange): WebHdfsError {
  const remote = remoteOf(r);
  const detail = remote
    ? `${remote.exception}: ${remote.message}`
    : `HTTP ${r.status}${r.body.length ? `: ${r.body.subarray(0, MAX_ERROR_BODY).toString('utf8').trim().slice(0, 500)}` : ''}`;
  return new WebHdfsError(op, path, r.status, remote, detail);
}

function expectStatus(op: string, path: string, r: Exchange, ok: readonly number[]): void {
  if (!ok.includes(r.status)) throw errorOf(op, path, r);
}

function jsonOf(op: string, path: string, r: Exchange): unknown {
  try {
    return JSON.parse(r.body.toString('utf8'));
  } catch {
    throw new WebHdfsError(op, path, r.status, undefined, `the namenode's answer is not JSON: ${r.body.subarray(0, 200).toString('utf8')}`);
  }
}

function connectionProblem(e: NodeJS.ErrnoException, url: URL): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing answers at ${url.host} (is WebHDFS served there? set the WebHDFS address if the namenode's HTTP port is not ${DEFAULT_WEBHDFS_PORT})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${url.hostname} does not resolve`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${url.host} closed the connection`;
    default:
      return `${url.host}: ${e.message}`;
  }
}

/** Writes the body honouring back-pressure, then ends the request (a body that fails to make its bytes fails the request). */
async function writeChunks(req: import('node:http').ClientRequest, chunks: Iterable<Buffer>): Promise<void> {
  try {
    for (const chunk of chunks) {
      if (req.destroyed) return;
      if (!req.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            req.off('drain', done);
            req.off('close', done);
            resolve();
          };
          req.on('drain', done);
          req.on('close', done);
        });
        if (req.destroyed) return;
      }
    }
    req.end();
  } catch (e) {
    req.destroy(e as Error);
  }
}
