// The language server bundled into the extension: `flowc lsp`, over Node's IPC channel.
import { runLanguageServer } from '../../lsp/main.js';

declare const FLOWC_VERSION: string;
runLanguageServer('node-ipc', FLOWC_VERSION);
