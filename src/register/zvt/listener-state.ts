/**
 * What a ZVT Registration (06 00) sets up (zvt.md §5): the config byte, the register's currency and the PT → ECR
 * commands it listed, its printer width. It belongs to the listener, not to the connection: registers open a new TCP
 * connection per operation. The service keeps it (register-state.ts).
 */
import { DEFAULT_PRINTER_WIDTH } from './receipt';

/** Registration config byte bits (§5). */
export const CONFIG = {
  ECR_PRINTS_PAYMENT_RECEIPTS: 0x02,
  ECR_PRINTS_ADMIN_RECEIPTS: 0x04,
  INTERMEDIATE_STATUS: 0x08,
  ECR_CONTROLS_PAYMENT: 0x10,
  ECR_CONTROLS_ADMINISTRATION: 0x20,
  RECEIPT_LINES_VIA_06D1: 0x80,
} as const;

/** Config in force until a Registration arrives, and again after Log-Off (§5: "config byte reverts to 86"). */
export const DEFAULT_CONFIG = 0x86;

export interface ListenerState {
  config: number;
  registered: boolean;
  /** With a password: the peer addresses that registered with it (the ECR may open a connection per command). */
  authenticated: Set<string>;
  /** The register sent a CC at Registration: we echo BMP 49 (§3). */
  ecrSentCurrency: boolean;
  /** PT → ECR commands the register listed in TLV 26. */
  ecrCommands: Set<number>;
  printerWidth: number;
}

/** The state of a listener no register has registered with (and again after Log-Off). */
export function freshState(): ListenerState {
  return {
    config: DEFAULT_CONFIG,
    registered: false,
    authenticated: new Set(),
    ecrSentCurrency: false,
    ecrCommands: new Set(),
    printerWidth: DEFAULT_PRINTER_WIDTH,
  };
}
