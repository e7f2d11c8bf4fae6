/**
 * The baseline of the bridge benchmark: a minimal forwarder doing the same wire work as the bridge without its
 * logic (no journal, no idempotency, no recovery, no progress messages):
 *
 *   register NDJSON `sale` line → IPP PURCHASE on a fresh TCP connection to the terminal → read up to STAGE=5 →
 *   NDJSON `result` line to the register → COMPLETE_TX on a fresh connection (the terminal needs it before the next
 *   payment, as it does from the bridge) → next sale of that lane.
 *
 * One lane = one listener + one terminal, one transaction at a time per terminal, as in the bridge. Runs as a
 * forked child:  { type: 'start', terminals: number[] } → { type: 'ready', ports: number[] };  { type: 'stop' }.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { encodeIpp, formatIppAmount, IppDecodeError, IppReader, type IppMessage } from '../src/terminal/ipp/codec';

export type ForwarderRequest = { type: 'start'; terminals: number[] } | { type: 'stop' };
export type ForwarderAnswer = { type: 'ready'; ports: number[] } | { type: 'stopped' };

/** One request/answer cycle with the terminal (IPP §4): connect, write, read until STAGE=5 (or a refusal), close. */
function exchange(port: number, pairs: Array<[string, string]>): Promise<IppMessage> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const reader = new IppReader();
    let done = false;
    const finish = (err: Error | undefined, msg?: IppMessage): void => {
      if (done) return;
      done = true;
      socket.end();
      if (err) reject(err);
      else resolve(msg!);
    };
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(encodeIpp(pairs)));
    socket.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        if (m instanceof IppDecodeError) return finish(m);
        if (m.stage === 5 || (m.stage === 1 && m.status !== 0)) return finish(undefined, m);
      }
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('terminal closed the connection')));
  });
}

class Lane {
  private tail: Promise<void> = Promise.resolve();
  constructor(readonly terminalPort: number) {}

  /** Runs `job` after the lane's previous one (one transaction at a time per terminal). */
  run(job: () => Promise<void>): void {
    this.tail = this.tail.then(job, job).catch(() => undefined);
  }
}

function header(method: string, sid: string): Array<[string, string]> {
  return [
    ['PROTOCOL', 'IPP'],
    ['VERSION', '200'],
    ['METHOD', method],
    ['SID', sid],
  ];
}

function serveLane(lane: Lane): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buf += text;
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let req: { op?: unknown; id?: unknown; ref?: unknown; amount?: unknown; currency?: unknown };
        try {
          req = JSON.parse(line) as typeof req;
        } catch {
          socket.write(`${JSON.stringify({ id: null, type: 'error', code: 'bad_json' })}\n`);
          continue;
        }
        const { id, ref, amount, currency } = req;
        if (req.op !== 'sale' || typeof ref !== 'string' || !Number.isSafeInteger(amount) || currency !== 'EUR') {
          socket.write(`${JSON.stringify({ id, type: 'error', code: 'bad_request' })}\n`);
          continue;
        }
        lane.run(async () => {
          const sid = randomUUID();
          let answer: IppMessage;
          try {
            answer = await exchange(lane.terminalPort, [
              ...header('PURCHASE', sid),
              ['AMOUNT', formatIppAmount({ minor: amount as number, currency: 'EUR' })],
              ['CURRENCY', '978'],
              ['REFERENCE_NUMBER_TYPE', '2'],
              ['REFERENCE_NUMBER', ref],
            ]);
          } catch (e) {
            socket.write(
              `${JSON.stringify({ id, type: 'result', ref, outcome: 'in_doubt', message: (e as Error).message })}\n`,
            );
            return;
          }
          const approved = answer.stage === 5 && answer.status === 0;
          socket.write(
            `${JSON.stringify({
              id,
              type: 'result',
              ref,
              kind: 'sale',
              outcome: approved ? 'approved' : 'failed',
              amount,
              currency,
              authCode: answer.get('AUTH_CODE'),
              rrn: answer.get('RRN'),
              stan: answer.get('STAN'),
              panMasked: answer.get('PAN_MASKED'),
              terminalId: answer.get('TERMINAL_ID'),
            })}\n`,
          );
          if (approved)
            await exchange(lane.terminalPort, [...header('COMPLETE_TX', randomUUID()), ['SID_ORIGINAL', sid]]).catch(
              () => undefined,
            );
        });
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })),
  );
}

const servers: net.Server[] = [];

process.on('message', (m: ForwarderRequest) => {
  const reply = (a: ForwarderAnswer): void => void process.send?.(a);
  if (m.type === 'start') {
    void Promise.all(m.terminals.map((port) => serveLane(new Lane(port)))).then((opened) => {
      servers.push(...opened.map((o) => o.server));
      reply({ type: 'ready', ports: opened.map((o) => o.port) });
    });
  } else if (m.type === 'stop') {
    for (const s of servers.splice(0)) s.close();
    reply({ type: 'stopped' });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
