/**
 * The native `result` line names only the fields a result has: absent ones are left out of the line, never sent as
 * null or as the word "undefined".
 */
import { describe, expect, it } from 'vitest';
import { resultMessage } from '../../src/register/native/messages';
import { registerTexts } from '../../src/register/texts';
import type { PaymentResult } from '../../src/domain/payment';

const texts = registerTexts(undefined);

describe('native result line', () => {
  it('carries the fields a declined result has, and no others', () => {
    const declined: PaymentResult = {
      ref: 'R1',
      kind: 'sale',
      outcome: 'declined',
      amount: { minor: 1234, currency: 'EUR' },
      terminal: 'lane1',
      message: 'Declined',
      receiptNo: 3,
      hostCode: '51',
    };
    const line = JSON.parse(
      JSON.stringify(resultMessage('7', declined, texts, { redelivered: true, gone: undefined })),
    );
    expect(Object.keys(line)).toEqual([
      'id',
      'type',
      'ref',
      'kind',
      'outcome',
      'amount',
      'currency',
      'hostCode',
      'receiptNo',
      'terminal',
      'message',
      'redelivered',
    ]);
    expect(line).toMatchObject({ id: '7', type: 'result', amount: 1234, currency: 'EUR', redelivered: true });
  });
});
