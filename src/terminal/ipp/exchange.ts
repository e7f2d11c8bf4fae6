/**
 * One IPP request/answer cycle on an open connection (mypos-ipp.md §4 request pattern, §5 stages, §12 steps 2–5):
 *
 *   write request → wait ≤ firstAnswerMs for STAGE=1
 *     STAGE=1, STATUS≠0          → refused (nothing happened)
 *     STAGE=1, STATUS=0          → accepted; each later wait = last TIMEOUT + grace, or the default
 *     STAGE=2/3/sub-stages/other → progress (a status here is informational, §5)
 *     STAGE=4 or STATUS 31/32    → Slave mode (§11), stop
 *     STAGE=5                    → final answer
 *   timer expired / link closed  → lost (`accepted` tells whether STAGE=1 STATUS=0 had arrived)
 *
 * Messages whose SID or METHOD differ from the request (another client's, unsolicited INIT/PROCESS, §7) and frames
 * that cannot be decoded are logged and skipped; they do not restart the timer. A message that omits SID or METHOD
 * is taken as ours (both are mandatory echoes, §3; lenient on absence, strict on a mismatch).
 */
import type { Logger } from '../../log/logger';
import type { IppMessage } from './codec';
import type { IppConnection, IppEvent } from './link';
import type { Scheduler } from './options';
import { STAGE, STATUS } from './statuses';

export type ExchangeEnd =
  | { readonly kind: 'refused'; readonly message: IppMessage; readonly props: Record<string, string> }
  | { readonly kind: 'final'; readonly message: IppMessage; readonly props: Record<string, string> }
  | { readonly kind: 'slave'; readonly message: IppMessage; readonly props: Record<string, string> }
  | {
      readonly kind: 'lost';
      readonly accepted: boolean;
      readonly reason: 'timeout' | 'closed' | 'write_failed';
      readonly props: Record<string, string>;
    };

export interface ExchangeOptions {
  readonly method: string;
  readonly sid: string;
  readonly frame: Uint8Array;
  readonly firstAnswerMs: number;
  readonly defaultStageTimeoutMs: number;
  readonly graceMs: number;
  readonly schedule: Scheduler;
  readonly logger: Logger;
  /** The request was written to the link. */
  onWritten?(): void;
  /** STAGE=1 STATUS=0 arrived. */
  onAccepted?(message: IppMessage): void;
  /** An intermediate message (stages 2, 3, sub-stages, unknown). */
  onProgress?(stage: number | undefined, status: number | undefined, message: IppMessage): void;
}

interface Deadline {
  readonly promise: Promise<void>;
  expired: boolean;
  cancel(): void;
}

function deadline(ms: number, schedule: Scheduler): Deadline {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const d: Deadline = {
    promise,
    expired: false,
    cancel: () => undefined,
  };
  d.cancel = schedule(ms, () => {
    d.expired = true;
    resolve();
  });
  return d;
}

/** The next queued event, or 'timeout' once the deadline passed with nothing queued. */
async function nextEvent(conn: IppConnection, d: Deadline): Promise<IppEvent | 'timeout'> {
  for (;;) {
    const e = conn.take();
    if (e) return e;
    if (d.expired) return 'timeout';
    await Promise.race([conn.readable(), d.promise]);
  }
}

export async function runExchange(conn: IppConnection, o: ExchangeOptions): Promise<ExchangeEnd> {
  const log = o.logger;
  const props: Record<string, string> = {};
  try {
    await conn.write(o.frame);
  } catch (e) {
    log.warn(
      { method: o.method, sid: o.sid, err: e instanceof Error ? e.message : String(e) },
      'IPP request could not be written',
    );
    return { kind: 'lost', accepted: false, reason: 'write_failed', props };
  }
  o.onWritten?.();
  log.debug({ method: o.method, sid: o.sid }, 'IPP request sent');

  let accepted = false;
  let lastTimeoutS: number | undefined;
  let waitMs = o.firstAnswerMs;
  for (;;) {
    const d = deadline(waitMs, o.schedule);
    let message: IppMessage | undefined;
    try {
      while (!message) {
        const ev = await nextEvent(conn, d);
        if (ev === 'timeout' || ev.kind === 'closed') {
          const reason = ev === 'timeout' ? 'timeout' : 'closed';
          log.warn({ method: o.method, sid: o.sid, accepted, reason, waitedMs: waitMs }, 'IPP answer lost');
          return { kind: 'lost', accepted, reason, props };
        }
        if (ev.kind === 'invalid') {
          log.warn({ method: o.method, sid: o.sid, err: ev.error.message }, 'undecodable IPP frame skipped');
          continue;
        }
        const m = ev.message;
        if ((m.sid !== undefined && m.sid !== o.sid) || (m.method !== undefined && m.method !== o.method)) {
          log.warn(
            { expected: { method: o.method, sid: o.sid }, got: { method: m.method, sid: m.sid, stage: m.stage } },
            'foreign IPP message ignored',
          );
          continue;
        }
        message = m;
      }
    } finally {
      d.cancel();
    }

    message.assignTo(props);
    const stage = message.stage;
    const status = message.status;
    const timeout = message.timeout;
    log.debug({ method: o.method, sid: o.sid, stage, status, timeout }, 'IPP answer');
    if (timeout !== undefined && timeout >= 0) lastTimeoutS = timeout;

    if (stage === STAGE.SLAVE_PROCESSING || status === STATUS.SLAVE_NO_WAIT || status === STATUS.SLAVE_WAIT) {
      return { kind: 'slave', message, props };
    }
    if (stage === STAGE.OUTCOME) return { kind: 'final', message, props };
    if (stage === STAGE.CHECKED && !accepted) {
      // Only an explicit non-zero STATUS refuses; a STAGE=1 without STATUS is taken as accepted, so that a
      // payment the terminal may be running is never abandoned on a malformed answer.
      if (status !== undefined && status !== STATUS.OK) return { kind: 'refused', message, props };
      accepted = true;
      o.onAccepted?.(message);
    } else {
      // Stages 2, 3, sub-stages and unknown stages are intermediate (§5); they also imply acceptance.
      accepted = true;
      o.onProgress?.(stage, status, message);
    }
    // §4: each later wait uses the TIMEOUT of the previous message (+ grace), or the default before any TIMEOUT.
    waitMs = lastTimeoutS !== undefined ? lastTimeoutS * 1000 + o.graceMs : o.defaultStageTimeoutMs;
  }
}
