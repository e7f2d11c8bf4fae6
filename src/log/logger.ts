import pino, { type Logger as PinoLogger } from 'pino';
import { redactJsonLine, scrubLogValue } from './scrub';
import { RotatingFile, type RotatingFileOptions } from './rotating-file';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Where finished log lines go (a pino destination): a file, stdout, the status page's ring, a test array. */
export interface LogSink {
  write(line: string): unknown;
  flush?(cb?: (err?: Error) => void): void;
  flushSync?(): void;
  end?(): void;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout. */
  destination?: pino.DestinationStream | LogSink;
  name?: string;
}

/**
 * Structured JSON logs with card data and secrets kept out (src/log/scrub.ts): every object logged and every
 * child binding is scrubbed (sensitive field names at any depth, errors included), and the finished line's
 * strings pass through the text redaction once more before they are written.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'register-bridge',
      level: options.level ?? 'info',
      base: undefined,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubLogValue(bindings) as Record<string, unknown>,
        log: (object) => scrubLogValue(object) as Record<string, unknown>,
      },
      hooks: {
        // Values interpolated into the message (`log.info('x %j', obj)`) are scrubbed like logged objects.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const scrubbed =
            typeof first === 'string'
              ? [first, ...rest.map((a) => (typeof a === 'object' && a !== null ? scrubLogValue(a) : a))]
              : args;
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
        streamWrite: redactJsonLine,
      },
      // Errors are already plain objects after `formatters.log` (scrubbed, with their cause chain).
      serializers: { err: (e: unknown) => e },
    },
    (options.destination ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface LogOutputOptions {
  /** The rotating log file (a path, or the file and its rotation settings). */
  readonly file?: string | RotatingFileOptions;
  /** Also write every line to stdout (the headless service). */
  readonly stdout?: boolean;
}

let stdoutGuarded = false;

/** One destination that writes each line to the log file and/or stdout. */
export function logOutputs(options: LogOutputOptions): LogSink & { readonly file?: RotatingFile } {
  const file =
    options.file === undefined
      ? undefined
      : new RotatingFile(typeof options.file === 'string' ? { file: options.file } : options.file);
  const sinks: LogSink[] = [];
  if (file) sinks.push(file);
  if (options.stdout) {
    // A closed stdout (the service manager or a pipe went away: EPIPE) must not stop the bridge; the file keeps the lines.
    if (!stdoutGuarded) {
      stdoutGuarded = true;
      process.stdout.on('error', () => undefined);
    }
    sinks.push({ write: (line: string) => process.stdout.write(line) });
  }
  return {
    ...(file ? { file } : {}),
    write(line: string): boolean {
      for (const s of sinks) s.write(line);
      return true;
    },
    flush(cb?: (err?: Error) => void): void {
      cb?.();
    },
    end(): void {
      file?.end();
    },
  };
}
