// The runtime's log: one line per message, `time LEVEL [agent/component] message`, written to
// stdout (INFO and below) or stderr (WARN, ERROR). FLOWC_LOG_LEVEL=debug|info|warn|error.

export type Level = 'debug' | 'info' | 'warn' | 'error';

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(level: Level, line: string): void;
}

export const consoleSink: LogSink = {
  write(level, line) {
    (order[level] >= order.warn ? process.stderr : process.stdout).write(`${line}\n`);
  },
};

export class Logger {
  constructor(
    readonly scope: string,
    private readonly sink: LogSink = consoleSink,
    private readonly threshold: Level = envLevel(),
  ) {}

  /** A logger that collects its lines in memory (tests, tools). */
  static memory(threshold: Level = 'debug'): { log: Logger; lines: string[] } {
    const lines: string[] = [];
    return { log: new Logger('', { write: (_l, line) => lines.push(line) }, threshold), lines };
  }

  child(scope: string): Logger {
    return new Logger(this.scope ? `${this.scope}/${scope}` : scope, this.sink, this.threshold);
  }

  enabled(level: Level): boolean {
    return order[level] >= order[this.threshold];
  }

  debug(msg: string): void {
    if (this.enabled('debug')) this.emit('debug', msg);
  }
  info(msg: string): void {
    if (this.enabled('info')) this.emit('info', msg);
  }
  warn(msg: string): void {
    if (this.enabled('warn')) this.emit('warn', msg);
  }
  error(msg: string): void {
    if (this.enabled('error')) this.emit('error', msg);
  }

  private emit(level: Level, msg: string): void {
    this.sink.write(level, `${timestamp()} ${level.toUpperCase().padEnd(5)} [${this.scope}] ${msg}`);
  }
}

function envLevel(): Level {
  const v = (process.env.FLOWC_LOG_LEVEL ?? 'info').toLowerCase();
  return v in order ? (v as Level) : 'info';
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Local time as log4j prints it: `2024-05-01 12:00:00,123`. */
function timestamp(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}
