/**
 * Receipt lines for a ZVT register that prints them (zvt.md §6 06 D1 / 06 D3, §10: each must be acknowledged before
 * the payment stands): the bridge's journaled receipt when the register's printer is wide enough, else the short
 * customer receipt of receipt.ts.
 */
import type { BridgeApi, RegisterIdentity } from '../../bridge/api';
import type { Logger } from '../../log/logger';
import type { ReceiptRendering } from '../../receipts/types';
import { isPositiveReply } from './apdu';
import { CMD } from './commands';
import type { EcrDialogue, Operation } from './dialogue';
import { CONFIG, type ListenerState } from './listener-state';
import { printLine, printTextBlock, RECEIPT_TYPE } from './messages';
import type { ZvtOptions } from './options';
import { PRINT_LAST_LINE, PRINT_NORMAL, RECEIPT_WIDTHS, receiptLines, type ReceiptFacts } from './receipt';

export interface ReceiptPrinterSetup {
  readonly dialogue: EcrDialogue;
  readonly api: BridgeApi;
  readonly who: RegisterIdentity;
  readonly opts: Pick<ZvtOptions, 'receipts' | 't3Ms'>;
  /** The listener's Registration state: config byte, listed commands, printer width. */
  readonly state: ListenerState;
  readonly log: Logger;
  /** The listener's language. */
  readonly locale: string | undefined;
}

export class ReceiptPrinter {
  private readonly dialogue: EcrDialogue;
  private readonly api: BridgeApi;
  private readonly who: RegisterIdentity;
  private readonly opts: Pick<ZvtOptions, 'receipts' | 't3Ms'>;
  private readonly state: ListenerState;
  private readonly log: Logger;
  private readonly locale: string | undefined;

  constructor(s: ReceiptPrinterSetup) {
    this.dialogue = s.dialogue;
    this.api = s.api;
    this.who = s.who;
    this.opts = s.opts;
    this.state = s.state;
    this.log = s.log;
    this.locale = s.locale;
  }

  /**
   * The payment's receipts for a register that prints them (config bits 02 and 80): the bridge's merchant and
   * customer copies (docs/receipts.md) at the widest of 48/40/32 columns that fits the register's printer (TLV 12),
   * as one 06 D3 text block per copy when the register listed 06 D3 at Registration (TLV 26), else as 06 D1 lines
   * with the last line of each copy marked (attribute 81). A printer narrower than 32 columns, or a bridge without
   * journaled receipts, gets the short customer receipt of receipt.ts.
   */
  async print(op: Operation, facts: ReceiptFacts): Promise<void> {
    const c = this.state.config;
    if (
      this.opts.receipts !== 'auto' ||
      !(c & CONFIG.ECR_PRINTS_PAYMENT_RECEIPTS) ||
      !(c & CONFIG.RECEIPT_LINES_VIA_06D1)
    )
      return;
    let copies: Array<{ type: number; lines: string[] }>;
    try {
      copies = this.copies(facts);
    } catch (e) {
      this.log.error({ err: e }, 'receipt lines could not be built; none sent');
      return;
    }
    const blocks = this.state.ecrCommands.has(CMD.PRINT_TEXT_BLOCK);
    const messages = blocks
      ? copies.map((copy) => printTextBlock(copy.type, copy.lines))
      : copies.flatMap((copy) =>
          copy.lines.map((line, i) => printLine(i === copy.lines.length - 1 ? PRINT_LAST_LINE : PRINT_NORMAL, line)),
        );
    for (const m of messages) {
      if (op.lost || this.dialogue.closed) return;
      const ans = await this.dialogue.exchange(op, m, this.opts.t3Ms);
      if (!this.dialogue.checkAnswer(op, ans)) return;
      if (ans.kind === 'answer' && !isPositiveReply(ans.apdu)) {
        this.log.info(
          { rc: ans.apdu.instr },
          `register cannot print (84 xx to ${blocks ? '06 D3' : '06 D1'}): receipt stopped`,
        );
        return;
      }
    }
  }

  private copies(facts: ReceiptFacts): Array<{ type: number; lines: string[] }> {
    const width = RECEIPT_WIDTHS.find((w) => w <= this.state.printerWidth);
    if (width) {
      let rendering: ReceiptRendering | undefined;
      try {
        rendering = this.api.receipt(this.who, facts.result.ref, {
          kind: facts.result.kind,
          width,
          ascii: true,
          ...(this.locale ? { locale: this.locale } : {}),
        });
      } catch (e) {
        this.log.warn(
          { err: e, ref: facts.result.ref },
          'the journaled receipt is not available: the short receipt is printed',
        );
      }
      if (rendering) {
        return [
          { type: RECEIPT_TYPE.merchant, lines: rendering.merchant },
          { type: RECEIPT_TYPE.customer, lines: rendering.customer },
        ];
      }
    }
    return [{ type: RECEIPT_TYPE.customer, lines: receiptLines(facts, this.state.printerWidth, this.locale) }];
  }
}
