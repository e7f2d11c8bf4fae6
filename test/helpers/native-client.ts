import { connect, type Socket } from 'node:net';

/** A register speaking the native protocol over a real TCP socket; collects every message it receives. */
export class NativeClient {
  readonly messages: Array<Record<string, unknown>> = [];
  private buf = '';
  private waiters: Array<{
    pred: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buf += text;
      for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const msg = JSON.parse(line) as Record<string, unknown>;
        this.messages.push(msg);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(msg)) return true;
          w.resolve(msg);
          return false;
        });
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed'));
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<NativeClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new NativeClient(s)));
      s.once('error', reject);
    });
  }

  send(msg: Record<string, unknown> | string): void {
    this.socket.write((typeof msg === 'string' ? msg : JSON.stringify(msg)) + '\n');
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
  }

  /** Sends a request and waits for its message of `type` (default: result or error). */
  async request(msg: Record<string, unknown>, types: string[] = ['result', 'error']): Promise<Record<string, unknown>> {
    this.send(msg);
    return this.waitFor((m) => m.id === msg.id && types.includes(String(m.type)));
  }

  of(id: string): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.id === id);
  }

  close(): void {
    this.socket.destroy();
  }
}
