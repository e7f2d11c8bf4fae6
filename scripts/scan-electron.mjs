#!/usr/bin/env node
// Security scan of the desktop shell: runs electronegativity over electron/ and fails on every HIGH or MEDIUM
// finding that is not in electron/scan-reviewed.json, and on any file it could not parse. Reports:
// electronegativity.sarif (written by electronegativity) and electronegativity.csv (its columns, written here).
//
// electronegativity is used through its programmatic runner rather than its command line: the command line always
// exits 0, and its CSV writer races its own header write against the rows (an asynchronous truncate-and-write of
// the header can land after the rows and overwrite their first bytes). It waits a few seconds for an update
// check first (offline here).
//
//   node scripts/scan-electron.mjs [--input DIR] [--out DIR] [--reviewed FILE]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    input: { type: 'string', default: join(root, 'electron') },
    out: { type: 'string', default: join(root, 'test-artifacts', 'electronegativity') },
    reviewed: { type: 'string', default: join(root, 'electron', 'scan-reviewed.json') },
  },
});
const input = resolve(values.input);
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const sarifFile = join(out, 'electronegativity.sarif');
const csvFile = join(out, 'electronegativity.csv');

const run = require('@doyensec/electronegativity/dist/runner.js');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const result = await run({
  input,
  output: sarifFile,
  isSarif: true,
  isRelative: true,
  electronVersionOverride: electronVersion,
  customScan: [],
  excludeFromScan: [],
  parserPlugins: [],
});

const findings = result.issues.map((i) => ({
  check: i.id,
  severity: i.severity.name,
  confidence: i.confidence.name,
  file: i.file,
  location: `${i.location?.line ?? 0}:${i.location?.column ?? 0}`,
  sample: i.sample ?? '',
  description: i.description ?? '',
  manualReview: Boolean(i.manualReview),
}));

const cell = (v) => `"${String(v).replace(/"/g, '""')}"`;
writeFileSync(
  csvFile,
  ['issue,severity,confidence,filename,location,sample,description,manual_review']
    .concat(
      findings.map((f) =>
        [f.check, f.severity, f.confidence, f.file, f.location, f.sample, f.description, f.manualReview]
          .map(cell)
          .join(','),
      ),
    )
    .join('\r\n') + '\r\n',
);

const reviewed = existsSync(values.reviewed) ? (JSON.parse(readFileSync(values.reviewed, 'utf8')).reviewed ?? []) : [];
const isReviewed = (f) =>
  reviewed.some(
    (r) =>
      r.check === f.check &&
      r.file === f.file &&
      r.sample === f.sample &&
      typeof r.reason === 'string' &&
      r.reason.length > 20,
  );
// Anything not clearly LOW or INFORMATIONAL blocks unless reviewed.
const blocking = findings.filter((f) => !['LOW', 'INFORMATIONAL'].includes(f.severity) && !isReviewed(f));
for (const f of findings) {
  const mark = blocking.includes(f) ? 'FAIL' : isReviewed(f) ? 'reviewed' : 'ok';
  process.stdout.write(
    `${mark.padEnd(8)} ${f.severity.padEnd(13)} ${f.check} ${f.file}:${f.location} ${f.description}\n`,
  );
}
// A file the parser could not read was not scanned: that fails too. Tolerable parser warnings are only shown.
const unscanned = (result.errors ?? []).filter((e) => !e.tolerable);
for (const e of result.errors ?? [])
  process.stdout.write(
    `${e.tolerable ? 'note    ' : 'FAIL    '} parser: ${e.file ?? '?'}: ${e.message ?? JSON.stringify(e)}\n`,
  );
const failed = blocking.length + unscanned.length;
process.stdout.write(
  `scan:electron: ${findings.length} findings, ${blocking.length} blocking (HIGH/MEDIUM not reviewed), ${unscanned.length} files not scanned; ` +
    `reports in ${out}\n`,
);
process.exit(failed > 0 ? 1 : 0);
