/** The simple text protocol for registers that write lines such as "SALE;R1;12.34;EUR" (docs/legacy-registers.md). */
export { textProtocol } from './session';
export { parseTextOptions, textOptionsSchema, type TextOptions } from './options';
export {
  parseLine,
  parseAmount,
  formatAmount,
  resultLine,
  errorLine,
  cancelLine,
  pendingLine,
  progressLine,
  type TextRequest,
} from './codec';
