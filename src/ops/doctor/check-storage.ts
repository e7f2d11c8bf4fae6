/**
 * Doctor: the journal (SQLite integrity check, schema, size, payments still unresolved) and the log files
 * (the folder can be written, their size).
 */
import { fail, ok, warn, type CheckResult, type JournalInspection, type LogInspection, type Finding } from './types';

/** A journal beyond this size is worth a word (the retention setting prunes old entries). */
export const LARGE_JOURNAL_BYTES = 1024 * 1024 * 1024;

export function checkJournal(j: JournalInspection): CheckResult {
  const title = `Journal ${j.file}`;
  if (!j.exists) {
    return {
      title,
      findings: [
        j.writable
          ? ok('no journal yet: it is created when the bridge first starts')
          : fail('the journal folder cannot be written by this user', [
              'Give the user running the bridge write access to that folder, or choose another with --data-dir DIR.',
            ]),
      ],
    };
  }
  if (j.error !== undefined) {
    const damaged = /malformed|not a database|corrupt/i.test(j.error);
    return {
      title,
      findings: [
        fail(damaged ? `the journal is damaged: ${j.error}` : `the journal cannot be read: ${j.error}`, journalHints()),
      ],
    };
  }
  const findings: Finding[] = [];
  if (j.integrity !== 'ok') {
    findings.push(
      fail(
        `the journal is damaged (SQLite integrity check: ${firstLines(j.integrity ?? 'no answer')})`,
        journalHints(),
      ),
    );
  } else {
    findings.push(
      ok(
        `healthy (integrity check ok), schema ${j.schemaVersion ?? '?'}, ${j.payments ?? 0} payments, ${formatBytes(j.bytes ?? 0)}`,
      ),
    );
  }
  if ((j.unresolved ?? 0) > 0) {
    findings.push(
      warn(`${j.unresolved} payment${j.unresolved === 1 ? ' is' : 's are'} unfinished or in doubt`, [
        'The bridge asks the terminal about them when it runs; "register-bridge journal list --outcome open" shows them.',
      ]),
    );
  }
  if ((j.bytes ?? 0) > LARGE_JOURNAL_BYTES) {
    findings.push(
      warn(`the journal is large (${formatBytes(j.bytes!)})`, [
        'journal.retentionDays in the config sets how long entries are kept (400 days by default).',
      ]),
    );
  }
  if (!j.writable)
    findings.push(
      fail('the journal folder cannot be written by this user', [
        'The bridge must write the journal before it sends anything to a terminal.',
      ]),
    );
  return { title, findings };
}

function journalHints(): string[] {
  return [
    'Stop the bridge and keep a copy of the whole folder (journal.sqlite and its -wal file) for support.',
    'Do not delete it: the journal is how the bridge recognises a payment it has already made.',
  ];
}

export function checkLogs(l: LogInspection): CheckResult {
  const title = `Logs ${l.file}`;
  if (!l.writable) {
    return {
      title,
      findings: [
        fail('the log folder cannot be written by this user', [
          "Choose another with --log-dir DIR or --log-file FILE, or fix the folder's permissions.",
        ]),
      ],
    };
  }
  if (l.bytes === undefined) return { title, findings: [ok('no log file yet: it is created when the bridge starts')] };
  return {
    title,
    findings: [
      ok(
        `${formatBytes(l.bytes)}${l.rotated ? `, plus ${l.rotated} older file${l.rotated === 1 ? '' : 's'}` : ''}; "register-bridge logs -f" follows it`,
      ),
    ],
  };
}

function firstLines(text: string): string {
  const lines = text.split('\n');
  return lines.length > 3 ? `${lines.slice(0, 3).join('; ')} …` : lines.join('; ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
