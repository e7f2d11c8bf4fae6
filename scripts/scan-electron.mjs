#!/usr/bin/env node
// Security scan of the desktop shell: runs electronegativity over electron/ (CSV and SARIF reports) and fails on
// every HIGH or MEDIUM finding that is not in electron/scan-reviewed.json. electronegativity itself always exits 0
// and first waits a few seconds for an update check (offline here), so the result is judged from its CSV.
//
//   node scripts/scan-electron.mjs [--input DIR] [--out DIR] [--reviewed FILE]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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

const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const cli = join(pkgDir, typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]);
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

function scan(file) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, '-i', input, '-r', '-e', electronVersion, '-o', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (existsSync(file) ? resolveRun(text) : reject(new Error(`electronegativity wrote no report (exit ${code}):\n${text}`))));
  });
}

/** One CSV line of electronegativity's report (quoted fields, commas inside quotes). */
function csvCells(line) {
  const cells = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const csvFile = join(out, 'electronegativity.csv');
const sarifFile = join(out, 'electronegativity.sarif');
await Promise.all([scan(csvFile), scan(sarifFile)]);

const lines = readFileSync(csvFile, 'utf8').split(/\r?\n/).filter((l) => l.trim());
if (!lines[0]?.startsWith('issue')) {
  process.stderr.write(`scan:electron: the report ${csvFile} is not electronegativity's CSV\n`);
  process.exit(2);
}
const findings = lines.slice(1).map((l) => {
  const [check, severity, confidence, file, location, sample, description] = csvCells(l);
  return { check, severity, confidence, file, location, sample, description };
});
const reviewed = existsSync(values.reviewed) ? JSON.parse(readFileSync(values.reviewed, 'utf8')).reviewed ?? [] : [];
const isReviewed = (f) => reviewed.some((r) => r.check === f.check && r.file === f.file && r.sample === f.sample && typeof r.reason === 'string' && r.reason.length > 20);

const blocking = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !isReviewed(f));
for (const f of findings) {
  const mark = blocking.includes(f) ? 'FAIL' : isReviewed(f) ? 'reviewed' : 'ok';
  process.stdout.write(`${mark.padEnd(8)} ${f.severity.padEnd(13)} ${f.check} ${f.file}:${f.location} ${f.description}\n`);
}
process.stdout.write(`scan:electron: ${findings.length} findings, ${blocking.length} blocking (HIGH/MEDIUM not reviewed); reports in ${out}\n`);
process.exit(blocking.length > 0 ? 1 : 0);
