/**
 * IPP status codes (mypos-ipp.md §6) and stages (§5) as the driver reads them: the token myPOS documents
 * and a plain sentence for a cashier or operator.
 */

/** §5: the stage numbers the driver branches on. Anything else is intermediate (§5 "unknown stage"). */
export const STAGE = {
  CHECKED: 1,
  CARD: 2,
  PIN: 3,
  SLAVE_PROCESSING: 4,
  OUTCOME: 5,
  SUB_PRESENT_CARD: 11,
  SUB_PIN: 13,
} as const;

/** §6 codes the driver branches on. */
export const STATUS = {
  OK: 0,
  BUSY: 1,
  NO_CARD_FOUND: 5,
  UNSUPPORTED_CARD: 6,
  CARD_CHIP_ERROR: 7,
  INVALID_PIN: 9,
  MAX_PIN_COUNT: 10,
  HOST_RECEIVE_ERROR: 12,
  USER_CANCEL: 13,
  INTERNAL_ERROR: 14,
  COMMUNICATION_ERROR: 15,
  SSL_ERROR: 16,
  TRANSACTION_NOT_FOUND: 17,
  REVERSAL_NOT_FOUND: 18,
  INVALID_AMOUNT: 19,
  NOT_COMPLETED_LAST_TX: 20,
  NO_PAPER: 22,
  ACTIVATION_REQUIRED: 25,
  MANDATORY_UPDATE: 26,
  SLAVE_NO_WAIT: 31,
  SLAVE_WAIT: 32,
  UNSUPPORTED_VERSION: 38,
  OK_WITH_INFO: 100,
} as const;

/** §6 tokens, for logs and messages. */
export const STATUS_TOKENS: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'TERMINAL BUSY',
  2: 'SYNTAX ERROR',
  3: 'UNSUPPORTED PARAM',
  4: 'UNSUPPORTED METHOD',
  5: 'NO CARD FOUND',
  6: 'UNSUPPORTED CARD',
  7: 'CARD CHIP ERROR',
  8: 'FALLBACK TO MAGSTRIPE',
  9: 'INVALID PIN',
  10: 'MAX PIN COUNT EXCEEDED',
  11: 'PIN CHECK ONLINE',
  12: 'HOST RECEIVE ERROR',
  13: 'USER CANCEL',
  14: 'INTERNAL ERROR',
  15: 'COMMUNICATION ERROR',
  16: 'SSL ERROR',
  17: 'TRANSACTION NOT FOUND',
  18: 'REVERSAL NOT FOUND',
  19: 'INVALID AMOUNT',
  20: 'NOT COMPLETED LAST TX',
  21: 'NO PRINTER AVAILABLE',
  22: 'NO PAPER',
  23: 'INCORRECT PRINT_DATA',
  24: 'INCORRECT LOGO INDEX',
  25: 'ACTIVATION REQUIRED',
  26: 'MANDATORY UPDATE REQUIRED',
  27: 'TERMINAL IS ALREADY ACTIVATED',
  28: 'TERMINAL ACTIVATION IS UNSUCCESSFUL',
  29: 'NO UPDATES FOUND',
  30: 'SOFTWARE UPDATE IS UNSUCCESSFUL',
  31: 'SOFTWARE UPDATE DO NOT WAIT HOST',
  32: 'SOFTWARE UPDATE WAIT HOST',
  33: 'DEACTIVATION UNSUCCESSFUL',
  34: 'OPTIONAL UPDATE REQUIRED',
  35: 'WRONG CODE',
  36: 'DEACTIVATION NOT FINISHED',
  37: 'FINGERPRINT NOT FOUND',
  38: 'UNSUPPORTED PROTOCOL VERSION',
  39: 'WRONG PREAUTH CODE',
  40: 'PREAUTH IS COMPLETED',
  // [SDK]-only values (§6).
  41: 'REMOTELY ACTIVATED',
  47: 'INVALID PAN',
  48: 'INVALID EXPIRY DATE',
  49: 'WRONG PASSWORD',
  100: 'OK WITH INFO',
};

/** Plain sentences for statuses a cashier or operator may see. */
const PLAIN: Readonly<Record<number, string>> = {
  1: 'The terminal is busy; bring it back to its home screen and try again',
  2: 'The terminal could not read the request (syntax error)',
  3: 'The terminal does not accept one of the request fields',
  4: 'The terminal does not support this operation',
  5: 'No card was presented in time',
  6: 'The card is not supported',
  7: 'The card chip could not be read',
  8: 'Use the magnetic stripe',
  9: 'Wrong PIN, try again',
  10: 'Too many wrong PIN attempts',
  11: 'Checking PIN online',
  12: 'The terminal got no answer from the card host; nothing was approved (check the terminal report)',
  13: 'Cancelled on the terminal',
  14: 'The terminal reported an internal error',
  15: 'The terminal could not reach the card host; nothing was approved (check the terminal report)',
  16: 'Secure connection to the card host failed; nothing was approved (check the terminal report)',
  17: 'The terminal has no such transaction',
  18: 'There is no transaction to reverse on the terminal',
  19: 'The terminal refused the amount',
  20: 'The previous transaction on the terminal is not completed yet',
  21: 'The terminal has no printer',
  22: 'The terminal printer is out of paper',
  23: 'The terminal could not print the text',
  24: 'The terminal has no such logo',
  25: 'The terminal must be activated first',
  26: 'The terminal needs a mandatory software update; run it on the terminal',
  34: 'An optional software update is available on the terminal',
  38: 'The terminal does not support this protocol version',
  39: 'Wrong pre-authorisation code',
  40: 'The pre-authorisation is already completed or cancelled',
  49: 'Wrong terminal password',
};

export function statusToken(status: number | undefined): string {
  if (status === undefined) return 'no status';
  return STATUS_TOKENS[status] ?? `status ${status}`;
}

/** A plain sentence for a status, e.g. "The terminal is busy…"; unknown codes name the number. */
export function plainStatus(status: number | undefined): string {
  if (status === undefined) return 'The terminal sent no status';
  return PLAIN[status] ?? `The terminal answered ${statusToken(status)} (${status})`;
}

export const SLAVE_MODE_MESSAGE =
  'The terminal is in Slave mode; switch its profile to Cash Register (myPOS settings) and try again';
