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

/** A serial frame could not be delivered: no ACK after the first try and 2 repeats (zvt.md §1.2). */
export class ZvtTransmissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZvtTransmissionError';
  }
}
