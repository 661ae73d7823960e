// The WebHDFS backend of the hdfs sink (placeholder until the WebHDFS client lands).
import { ConfigError, type Params } from '../../core/config.js';
import type { FileSystemAddress, SinkFileSystem } from './fs.js';

export function webHdfsFileSystem(address: FileSystemAddress, _p: Params, sink: string): SinkFileSystem {
  throw new ConfigError(`sink \`${sink}\`: writing to ${address.scheme}:// is not available yet`);
}
