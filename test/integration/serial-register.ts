/**
 * A register speaking the native protocol (JSON lines) on a serial port: the test's end of a pty pair, opened
 * through the bridge's own serial transport at the register's line settings. Collects every message it receives.
 */
import { openSerialStream, serialSettings, type SerialByteStream } from '../../src/transport/serial';

export class SerialNativeRegister {
  readonly messages: Array<Record<string, unknown>> = [];
  private buf = '';
  private waiters: Array<{
    pred: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }> = [];

  private constructor(readonly port: SerialByteStream) {
    port.on('data', (chunk) => {
      this.buf += chunk.toString('utf8');
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
    port.on('error', () => undefined);
  }

  static async open(path: string): Promise<SerialNativeRegister> {
    return new SerialNativeRegister(await openSerialStream(serialSettings({ path }, 'native')));
  }

  send(msg: Record<string, unknown>): void {
    this.port.write(Buffer.from(JSON.stringify(msg) + '\n'));
  }

  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
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
      });
    });
  }

  async request(msg: Record<string, unknown>, types: string[] = ['result', 'error']): Promise<Record<string, unknown>> {
    this.send(msg);
    return this.waitFor((m) => m.id === msg.id && types.includes(String(m.type)));
  }

  of(id: string): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.id === id);
  }

  close(): void {
    this.port.destroy();
  }
}
