/**
 * The ECR17 longitudinal redundancy check — read beside ecr17.md §2.
 *
 * LRC = 0x7F XOR every byte of the message. Which framing bytes are folded in is not stated clearly by Nexi, so
 * registers have a setting with four coverages. Because STX ^ ETX = 01, the four candidates for one frame are
 * L, L^01, L^03 and L^02: always distinct, so a frame's LRC names its mode (or none).
 *
 * Hand-written rather than taken from a CRC library: a one-byte XOR with a protocol-specific seed and coverage is
 * not what those libraries compute.
 */
export const STX = 0x02;
export const ETX = 0x03;
export const SOH = 0x01;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;

export const LRC_SEED = 0x7f;

/** The four coverages, as registers name them in their settings. */
export const LRC_MODES = ['std', 'stx', 'noext', 'stx_noext'] as const;
export type LrcMode = (typeof LRC_MODES)[number];

const COVERS: Readonly<Record<LrcMode, { stx: boolean; etx: boolean }>> = {
  /** message only (the clients' default) */
  std: { stx: false, etx: false },
  /** STX + message + ETX */
  stx: { stx: true, etx: true },
  /** message + ETX */
  noext: { stx: false, etx: true },
  /** STX + message */
  stx_noext: { stx: true, etx: false },
};

/** The LRC of `message` (the bytes between STX and ETX; for ACK/NAK the single control byte) in `mode`. */
export function lrc(message: Uint8Array, mode: LrcMode = 'std'): number {
  const c = COVERS[mode];
  let x = LRC_SEED;
  if (c.stx) x ^= STX;
  for (const b of message) x ^= b;
  if (c.etx) x ^= ETX;
  return x;
}

/** The mode whose LRC of `message` is `check`, or undefined when none matches (a damaged frame). */
export function modeOf(message: Uint8Array, check: number): LrcMode | undefined {
  return LRC_MODES.find((m) => lrc(message, m) === check);
}
