import pino, { type Logger as PinoLogger } from 'pino';
import { redactText } from './redact';

export type Logger = PinoLogger;

/** Property names whose values never reach a log line. */
export const REDACTED_KEYS = [
  'secret', 'password', 'partnerSecret', 'merchantSecret', 'client_secret', 'access_token', 'authorization',
  'Authorization', 'token', 'session', 'x-session', 'X-Session', 'pan', 'PAN', 'track2', 'cvv', 'CVV', 'EXP_DATE',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout. */
  destination?: pino.DestinationStream;
  name?: string;
}

/**
 * Structured JSON logs. Values under sensitive keys are censored at any depth, and every string is passed
 * through `redactText`, which masks anything that looks like a card number, track data or a bearer token.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'register-bridge',
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
