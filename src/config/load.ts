import { readFileSync } from 'node:fs';
import { BridgeError } from '../domain/errors';
import { configSchema, type Config } from './schema';
import { fieldPath as formatPath, schemaIssues, type CodedFieldIssue } from './issue-text';

/** Validates a parsed config; throws config_invalid with one message naming the field and what is wrong. */
export function parseConfig(value: unknown): Config {
  const r = configSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = formatPath(issue.path);
  throw new BridgeError('config_invalid', `${field || 'config'}: ${issue.message}`, {
    field,
    issues: r.error.issues.length,
  });
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BridgeError(
      'config_invalid',
      `cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BridgeError('config_invalid', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(value);
}

/**
 * Every issue of a candidate config, per field path (the settings screen shows them next to the fields): the English
 * message, and the coded text the page writes in its language (issue-text.ts).
 */
export function configIssues(value: unknown): CodedFieldIssue[] {
  return schemaIssues(configSchema, value);
}

/** The configuration of `serve --demo`: the native listener on 7450 and the built-in simulated terminal. */
export function demoConfig(
  overrides: { dataDir?: string; port?: number; statusPort?: number; terminal?: Record<string, unknown> } = {},
): Config {
  const terminal = overrides.terminal ?? { id: 'demo', driver: 'simulator', currency: 'EUR' };
  return parseConfig({
    ...(overrides.dataDir ? { dataDir: overrides.dataDir } : {}),
    listeners: [
      {
        id: 'native',
        protocol: 'native',
        transport: { type: 'tcp', host: '127.0.0.1', port: overrides.port ?? 7450 },
        terminal: terminal.id,
      },
    ],
    terminals: [terminal],
    status: { host: '127.0.0.1', port: overrides.statusPort ?? 7460 },
  });
}
