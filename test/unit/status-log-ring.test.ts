import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { LogRing } from '../../src/status/log-ring';
import type { LogLine } from '../../src/status/contract';

describe('LogRing (the Logs view)', () => {
  it('keeps structured lines from the real logger, redacted, and passes them on', async () => {
    const passed: string[] = [];
    const ring = new LogRing(10, { write: (s) => passed.push(s) });
    const seen: LogLine[] = [];
    ring.on('line', (l) => seen.push(l));
    const log = createLogger({ level: 'debug', destination: ring });
    log.info({ ref: 'A-1', partnerSecret: 'secret_x' }, 'card 4111 1111 1111 1111 approved');
    log.warn('terminal slow');
    log.debug('detail');
    log.flush();
    await expect.poll(() => seen.length).toBe(3);
    expect(passed.join('')).toContain('terminal slow');
    const all = ring.query({ level: 'debug' }).lines;
    expect(all.map((l) => l.level)).toEqual(['info', 'warn', 'debug']);
    const text = JSON.stringify(all);
    expect(text).not.toContain('secret_x');
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(all[0]!.fields).toMatchObject({ ref: 'A-1' });
    expect(ring.query({ level: 'warn' }).lines.map((l) => l.msg)).toEqual(['terminal slow']);
    expect(ring.query({ level: 'debug', text: 'a-1' }).lines).toHaveLength(1);
    expect(ring.query({ level: 'debug', after: all[1]!.seq }).lines.map((l) => l.msg)).toEqual(['detail']);
  });

  it('drops the oldest lines beyond its capacity and copes with partial and non-JSON writes', () => {
    const ring = new LogRing(3);
    ring.write('{"level":30,"msg":"one"}\n{"level":30,');
    ring.write('"msg":"two"}\nnot json\n');
    ring.write('{"level":50,"msg":"four"}\n');
    expect(ring.query({}).lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'two'],
      ['info', 'not json'],
      ['error', 'four'],
    ]);
  });
});
