/**
 * Errors of the ZVT codec. A `ZvtFormatError` means the register sent bytes that do not follow zvt.md; the session
 * answers it in the protocol (`84 9A 00`, "ZVT protocol error", zvt.md §8) and the connection lives on.
 */
export class ZvtFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZvtFormatError';
  }
}

/**
 * An error decoding a command that the register caused: a format error, or a RangeError from a value codec (a BCD
 * digit out of range, a date that does not exist). The session answers both with 84 9A 00.
 */
export function isMalformedCommand(e: unknown): e is Error {
  return e instanceof ZvtFormatError || e instanceof RangeError;
}

/** A serial frame could not be delivered: no ACK after the first try and 2 repeats (zvt.md §1.2). */
export class ZvtTransmissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZvtTransmissionError';
  }
}
