/**
 * What the bridge writes is readable by its user only, whatever the umask: the journal (database, -wal, -shm),
 * the end-of-day reports, the security log and CSV exports are 0600, in folders the bridge creates 0700. (POSIX
 * only: on Windows the files inherit the ACL of the user's profile folder — docs/security.md.)
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/os/private-files';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-modes-');
let h: Harness | undefined;
let umask: number | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('file modes', () => {
  for (const mask of [0o000, 0o022]) {
    it(`journal, reports, security log and exports are 0600 in 0700 folders (umask ${mask.toString(8).padStart(3, '0')})`, async () => {
      umask = process.umask(mask);
      const dataDir = join(tmp(), 'new', 'data');
      h = await startHarness({ dataDir });
      const till = await h.client();
      till.send({ op: 'sale', id: 1, ref: 'M-1', amount: 500, currency: 'EUR' });
      await till.waitFor((m) => m.type === 'result');
      till.send({ op: 'end_of_day', id: 2 });
      await till.waitFor((m) => m.type === 'end_of_day');
      h.service.security.record({ kind: 'foreign_protocol', detail: 'test event' });

      expect(mode(dataDir)).toBe('700');
      expect(mode(join(dataDir, '..'))).toBe('700');
      for (const f of ['journal.sqlite', 'journal.sqlite-wal', 'journal.sqlite-shm', 'security-events.jsonl'])
        expect(`${f} ${mode(join(dataDir, f))}`).toBe(`${f} 600`);
      const reports = join(dataDir, 'reports');
      expect(mode(reports)).toBe('700');
      const written = readdirSync(reports);
      expect(written.length).toBeGreaterThan(0);
      for (const f of written) expect(`${f} ${mode(join(reports, f))}`).toBe(`${f} 600`);

      const csv = join(tmp(), 'export.csv');
      writePrivateFile(csv, 'a,b\n');
      expect(mode(csv)).toBe('600');
    });
  }
});
