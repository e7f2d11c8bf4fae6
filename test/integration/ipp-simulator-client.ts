/**
 * A raw IPP client for tests of the simulated terminal: frames built with the codec, bytes over a real loopback
 * socket, answers read with the codec's IppReader. Deliberately not the product's IPP driver, so the simulator is
 * checked against the spec on its own.
 */
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { encodeIpp, IppDecodeError, IppMessage, IppReader } from '../../src/terminal/ipp/codec';

export type Received = IppMessage | IppDecodeError;

export function ippRequest(method: string, sid: string, fields: Array<[string, string]> = [], version = '200'): Buffer {
  return encodeIpp([['PROTOCOL', 'IPP'], ['VERSION', version], ['METHOD', method], ['SID', sid], ...fields]);
}

/** One length-framed message with an arbitrary body (for malformed requests). */
export function rawFrame(body: string | Buffer): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const out = Buffer.alloc(b.length + 2);
  out.writeUInt16BE(out.length, 0);
  b.copy(out, 2);
  return out;
}

export class IppTestClient {
  readonly received: Received[] = [];
  /** Raw bytes as they arrived, for byte-exact checks. */
  readonly bytes: Buffer[] = [];
  closed = false;
  private cursor = 0;
  private readonly reader = new IppReader();
  private readonly signal = new EventEmitter();

  static connect(port: number): Promise<IppTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new IppTestClient(socket));
      });
      socket.once('error', reject);
    });
  }

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes.push(chunk);
      this.received.push(...this.reader.push(chunk));
      this.signal.emit('change');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.signal.emit('change');
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  request(method: string, sid: string, fields: Array<[string, string]> = [], version = '200'): void {
    this.send(ippRequest(method, sid, fields, version));
  }

  /** The next answer not yet consumed (decoded message or decode error). Rejects if the link closes first. */
  next(): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.cursor < this.received.length) {
          resolve(this.received[this.cursor++]!);
          return true;
        }
        if (this.closed) {
          reject(new Error('connection closed before the next answer'));
          return true;
        }
        return false;
      };
      if (check()) return;
      const onChange = (): void => {
        if (check()) this.signal.off('change', onChange);
      };
      this.signal.on('change', onChange);
    });
  }

  async nextMessage(): Promise<IppMessage> {
    const r = await this.next();
    if (!(r instanceof IppMessage)) throw new Error(`expected an IPP message, got ${r.message}`);
    return r;
  }

  /** Reads answers until STAGE=5 or a STAGE=1 refusal. */
  async untilFinal(): Promise<IppMessage[]> {
    const out: IppMessage[] = [];
    for (;;) {
      const m = await this.nextMessage();
      out.push(m);
      if (m.stage === 5 || (m.stage === 1 && m.status !== 0)) return out;
    }
  }

  /** Sends a request and reads its answers to the end. */
  async exchange(
    method: string,
    sid: string,
    fields: Array<[string, string]> = [],
    version = '200',
  ): Promise<IppMessage[]> {
    this.request(method, sid, fields, version);
    return this.untilFinal();
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = this.whenClosed();
    this.socket.end();
    this.socket.destroy();
    await done;
  }
}

/** One exchange on a fresh connection, closed afterwards (the client pattern of §4). */
export async function exchangeOnce(
  port: number,
  method: string,
  sid: string,
  fields: Array<[string, string]> = [],
  version = '200',
): Promise<IppMessage[]> {
  const c = await IppTestClient.connect(port);
  try {
    return await c.exchange(method, sid, fields, version);
  } finally {
    await c.close();
  }
}

export function last(messages: IppMessage[]): IppMessage {
  const m = messages[messages.length - 1];
  if (!m) throw new Error('no messages');
  return m;
}

export function stages(messages: IppMessage[]): Array<[number | undefined, number | undefined]> {
  return messages.map((m) => [m.stage, m.status]);
}

/** Resolves with the first event of this name whose payload matches. */
export function waitForEvent<T>(
  emitter: { on(name: string, l: (v: T) => void): unknown; off(name: string, l: (v: T) => void): unknown },
  name: string,
  match: (v: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (v: T): void => {
      if (!match(v)) return;
      emitter.off(name, listener);
      resolve(v);
    };
    emitter.on(name, listener);
  });
}
