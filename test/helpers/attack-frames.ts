/**
 * What an attacker sends to register ports: money frames of every register protocol, and the prefaces of other
 * protocols (HTTP from a browser, WebSocket, HTTP/2, TLS) to put in front of them. No product code is imported here,
 * so the fuzz targets can use it too.
 */
/** The protocols a TCP register listener can speak (Concert runs on serial lines only). */
export const LISTENER_PROTOCOLS = ['native', 'text', 'zvt', 'pole-display', 'printer', 'caisse-ap', 'ecr17'] as const;
export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number];

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

/** An ECR17 frame: STX, the message, ETX and the LRC (0x7F XOR the message and ETX). */
function ecr17(message: string): Buffer {
  const body = Buffer.from(message, 'latin1');
  let lrc = 0x7f ^ 0x03;
  for (const b of body) lrc ^= b;
  return Buffer.concat([Buffer.from([0x02]), body, Buffer.from([0x03, lrc])]);
}

/** Frames that move money (or change the listener) in each protocol, as an attacker would put them in a body. */
export const MONEY_FRAMES: Record<ListenerProtocol, Buffer[]> = {
  native: [
    Buffer.from('{"op":"refund","id":"r1","ref":"WEB-REFUND","amount":4242,"currency":"EUR"}\n'),
    Buffer.from('{"op":"sale","id":"s1","ref":"WEB-SALE","amount":4242,"currency":"EUR"}\n'),
  ],
  text: [Buffer.from('REFUND;WEB-REFUND;42.42;EUR\r\n'), Buffer.from('SALE;WEB-SALE;42.42;EUR\r\n')],
  zvt: [
    // Reversal of receipt 0001 (password 000000), End-of-Day, Registration (config byte 0x08), Authorization 25.00.
    hex('06 30 06 00 00 00 87 00 01'),
    hex('06 50 03 00 00 00'),
    hex('06 00 06 00 00 00 08 09 78'),
    hex('06 01 07 04 00 00 00 00 25 00'),
  ],
  'pole-display': [Buffer.from('\x0c\x1b\x51\x41TOTAL       42.42\r')],
  printer: [Buffer.from('\x1b@TOTAL EUR 42.42\n\x1dV\x00')],
  // A refund of 42.42 EUR (CD0011) and a sale (CD0010), register 01.
  'caisse-ap': [
    Buffer.from('CZ0040300CJ012012345678901CA00201CE003978BA0010CD0011CB0044242', 'latin1'),
    Buffer.from('CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0044242', 'latin1'),
  ],
  // A reversal of STAN 000001 and the day's close (terminal 12345678, register 00000001).
  ecr17: [ecr17('123456780S0000000100000100'), ecr17('123456780C0000000100000000')],
};

/** A valid money frame of each protocol behind `padding` bytes that re-synchronise nothing on their own. */
export function framesFor(protocol: ListenerProtocol, padding = 0): Buffer {
  return Buffer.concat([Buffer.alloc(padding, 0x20), ...MONEY_FRAMES[protocol]]);
}

/** Foreign prefaces: what a browser, a TLS client, a WebSocket or an HTTP/2 client sends first. */
export function prefaces(port: number, body: Buffer): Record<string, Buffer> {
  const host = `127.0.0.1:${port}`;
  const post = (headers: string): Buffer =>
    Buffer.concat([
      Buffer.from(`POST /pay HTTP/1.1\r\nHost: ${host}\r\n${headers}Content-Length: ${body.length}\r\n\r\n`),
      body,
    ]);
  return {
    'HTTP POST (fetch no-cors)': post(
      'Origin: http://attacker.example\r\nContent-Type: text/plain;charset=UTF-8\r\nSec-Fetch-Mode: no-cors\r\n',
    ),
    'HTTP form post': post('Origin: null\r\nContent-Type: application/x-www-form-urlencoded\r\n'),
    'HTTP GET': Buffer.concat([Buffer.from(`GET /?x=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`), body]),
    'HTTP OPTIONS': Buffer.concat([Buffer.from(`OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n`), body]),
    'HTTP header line first': Buffer.concat([Buffer.from(`Host: ${host}\r\n\r\n`), body]),
    'WebSocket upgrade': Buffer.concat([
      Buffer.from(
        `GET /socket HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
      body,
    ]),
    'HTTP/2 preface': Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      hex('000000 04 00 00000000'),
      body,
    ]),
    'TLS ClientHello': Buffer.concat([
      hex('16 03 01 00 2f 01 00 00 2b 03 03'),
      Buffer.alloc(32, 7),
      hex('00 00 02 13 01 01 00'),
      body,
    ]),
  };
}
