import { execFile } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { needsOwnFsync } from '../../src/journal/durability';
import { trailStep } from '../../src/bridge/lifecycle';
import { tempDirs } from '../helpers/temp-dirs';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const tmp = tempDirs('rb-lifecycle-');

/**
 * A scratch copy of the sources with lifecycle.ts changed by `edit`, compiled from the two tables keyed on the event
 * vocabulary: the fsync rule (journal/durability.ts) and the dashboard's trail (in lifecycle.ts, read by status/core.ts).
 */
async function compileWith(edit: (source: string) => string): Promise<{ ok: boolean; output: string }> {
  const dir = tmp();
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, 'src/bridge/lifecycle.ts');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const base = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      // The project's settings, without the DOM library (nothing here needs it: less to load).
      compilerOptions: { ...base.compilerOptions, lib: ['ES2023'], noEmit: true, skipLibCheck: true },
      files: ['src/journal/durability.ts', 'src/bridge/lifecycle.ts'],
    }),
  );
  try {
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });
    return { ok: true, output: '' };
  } catch (e) {
    return { ok: false, output: String((e as { stdout?: string }).stdout ?? e) };
  }
}

describe('the journal event vocabulary is one definition', () => {
  it('the unchanged copy compiles; an event renamed in lifecycle.ts breaks the fsync rule and the trail', async () => {
    // Both compiles at once: each is a few seconds of one core.
    const [unchanged, renamed] = await Promise.all([
      compileWith((s) => s),
      compileWith((s) => s.replace("type: 'settle_decision';", "type: 'settle_decided';")),
    ]);
    expect(unchanged).toEqual({ ok: true, output: '' });
    expect(renamed.ok).toBe(false);
    // The trail's table (lifecycle.ts) and the fsync rule (journal/durability.ts) both name every event of the union.
    expect(renamed.output).toMatch(
      /src\/bridge\/lifecycle\.ts\(\d+,\d+\): error TS2353: .*'settle_decision' does not exist/,
    );
    expect(renamed.output).toMatch(
      /src\/journal\/durability\.ts\(\d+,\d+\): error TS2353: .*'settle_decision' does not exist/,
    );
  }, 60_000);

  it('the fsync rule and the trail read the same events', () => {
    expect(needsOwnFsync('settle_decision', { decision: 'complete', why: 'x' })).toBe(true);
    expect(trailStep('settle_decision', { decision: 'complete' })).toEqual({ stage: 'confirming' });
    expect(needsOwnFsync('settled', { decision: 'complete' })).toBe(false);
    expect(trailStep('settled', { decision: 'complete' })).toEqual({ stage: 'done' });
    expect(trailStep('stage', { stage: 'present_card', message: 'Present card' })).toEqual({
      stage: 'present_card',
      message: 'Present card',
    });
    expect(trailStep('delivered', null)).toBeUndefined();
    // An event type an older version wrote and this one does not know: no trail step, and durable.
    expect(trailStep('retired_event', {})).toBeUndefined();
    expect(needsOwnFsync('retired_event')).toBe(true);
  });
});
