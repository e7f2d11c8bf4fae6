/**
 * Registers for the benchmark: one TCP connection per lane speaking the native protocol, each in a closed loop
 * (send a sale, wait for its result, send the next) or paced (one sale per period, like a cashier: the next sale
 * waits for its slot, or goes at once when the last one overran it). The time from writing the sale line to reading
 * its result line is the latency the register sees.
 */
import net from 'node:net';

export interface LaneStats {
  /** Latency of every completed sale, ms. */
  readonly latencies: number[];
  approved: number;
  /** Results that were not approved, error messages, and sales without an answer at the end of a run. */
  errors: number;
  readonly errorSamples: string[];
}

export function emptyStats(): LaneStats {
  return { latencies: [], approved: 0, errors: 0, errorSamples: [] };
}

export function mergeStats(into: LaneStats, from: LaneStats): void {
  for (const l of from.latencies) into.latencies.push(l);
  into.approved += from.approved;
  into.errors += from.errors;
  for (const s of from.errorSamples) if (into.errorSamples.length < 5) into.errorSamples.push(s);
}

export class BenchRegister {
  private buf = '';
  private pending:
    { id: string; sentAt: bigint; resolve: (line: Record<string, unknown> | undefined) => void } | undefined;
  private closed = false;
  private seq = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly name: string,
  ) {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.pending?.resolve(undefined);
      this.pending = undefined;
    });
  }

  static open(port: number, name: string): Promise<BenchRegister> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new BenchRegister(s, name)));
      s.once('error', reject);
    });
  }

  private onData(text: string): void {
    this.buf += text;
    for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const msg = JSON.parse(line) as Record<string, unknown>;
      const p = this.pending;
      if (p && msg.id === p.id && (msg.type === 'result' || msg.type === 'error')) {
        this.pending = undefined;
        p.resolve(msg);
      }
    }
  }

  /** One sale; resolves with its latency and answer (undefined answer: the connection closed first). */
  sale(amount: number): Promise<{ ms: number; answer: Record<string, unknown> | undefined }> {
    const id = String(++this.seq);
    const ref = `${this.name}-${id}`;
    return new Promise((resolve) => {
      const sentAt = process.hrtime.bigint();
      this.pending = {
        id,
        sentAt,
        resolve: (answer) => resolve({ ms: Number(process.hrtime.bigint() - sentAt) / 1e6, answer }),
      };
      if (this.closed) {
        this.pending.resolve(undefined);
        this.pending = undefined;
        return;
      }
      this.socket.write(`{"op":"sale","id":"${id}","ref":"${ref}","amount":${amount},"currency":"EUR"}\n`);
    });
  }

  /**
   * Sells until `until` (performance clock, ms); the sale under way is finished and counted. With `pace`, sale k
   * starts at `firstMs + k × periodMs` (or at once when the previous one ended later).
   */
  async loop(
    untilMs: number,
    stats: LaneStats,
    amount = 1234,
    pace?: { firstMs: number; periodMs: number },
  ): Promise<void> {
    for (let k = 0; performance.now() < untilMs && !this.closed; k++) {
      if (pace) {
        const wait = Math.min(pace.firstMs + k * pace.periodMs, untilMs) - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= untilMs) break;
      }
      const { ms, answer } = await this.sale(amount);
      if (answer?.type === 'result' && answer.outcome === 'approved') {
        stats.approved++;
        stats.latencies.push(ms);
      } else {
        stats.errors++;
        if (stats.errorSamples.length < 5)
          stats.errorSamples.push(answer ? JSON.stringify(answer).slice(0, 300) : 'connection closed');
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Drives every register for `ms` milliseconds, in closed loops or, with `periodMs`, one sale per lane per period with
 * the lanes' slots spread evenly over the period; returns the merged statistics and the wall time used.
 */
export async function runLoad(
  registers: BenchRegister[],
  ms: number,
  periodMs?: number,
): Promise<{ stats: LaneStats; wallMs: number }> {
  const stats = emptyStats();
  const perLane = registers.map(() => emptyStats());
  const start = performance.now();
  const pace = (i: number): { firstMs: number; periodMs: number } | undefined =>
    periodMs ? { firstMs: start + (i * periodMs) / registers.length, periodMs } : undefined;
  await Promise.all(registers.map((r, i) => r.loop(start + ms, perLane[i]!, 1234, pace(i))));
  const wallMs = performance.now() - start;
  for (const s of perLane) mergeStats(stats, s);
  return { stats, wallMs };
}
