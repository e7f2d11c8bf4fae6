/**
 * What every transport gives: a duplex byte stream. A TCP socket, a serialport SerialPort and the HID adapter
 * all satisfy it. Framers (NDJSON lines, ZVT APDUs, ZVT DLE/CRC, IPP length header) sit on top.
 */
export interface ByteStream {
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): unknown;
  end(): unknown;
  destroy(err?: Error): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  /** The peer will send no more (TCP half-close). Streams without that notion never emit it. */
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'close' | 'end', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}
