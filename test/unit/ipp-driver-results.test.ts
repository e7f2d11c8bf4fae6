/** What IPP answers mean (mypos-ipp.md §5, §6, §9, §11): outcome tables, fields, card-data removal. */
import { describe, expect, it } from 'vitest';
import {
  finalVerdict,
  resultFields,
  safePanMasked,
  sanitiseRaw,
  stageOneRefusal,
} from '../../src/terminal/ipp/results';
import { cardScheme } from '../../src/terminal/ipp/card-scheme';
import { money } from '../../src/domain/money';

describe('STAGE=5 status → outcome (§6)', () => {
  const cases: Array<[number | undefined, string]> = [
    [0, 'approved'],
    [100, 'approved'],
    [13, 'cancelled'],
    [5, 'cancelled'],
    [10, 'declined'],
    [14, 'declined'],
    [6, 'declined'],
    [7, 'declined'],
    [12, 'failed'],
    [15, 'failed'],
    [16, 'failed'],
    [17, 'failed'],
    [18, 'failed'],
    [19, 'failed'],
    [31, 'failed'],
    [32, 'failed'],
    [22, 'in_doubt'],
    [2, 'failed'],
    [77, 'failed'],
    [undefined, 'failed'],
  ];
  for (const [status, outcome] of cases) {
    it(`status ${status} → ${outcome}`, () => {
      expect(finalVerdict(status, {}).outcome).toBe(outcome);
    });
  }

  it('unknown statuses are flagged for review', () => {
    expect(finalVerdict(77, {}).message).toMatch(/not approved, flagged for review/i);
  });

  it('a decline carries the decline reasons and the host code in its message', () => {
    const v = finalVerdict(14, { APPROVAL: '51', DECLINED_REASON1: 'INSUFFICIENT', DECLINED_REASON2: 'FUNDS' });
    expect(v.message).toContain('INSUFFICIENT FUNDS');
    expect(v.message).toContain('51');
  });

  it('Slave-mode statuses tell the operator to switch to Cash Register', () => {
    expect(finalVerdict(32, {}).message).toMatch(/Cash Register/);
  });
});

describe('STAGE=1 refusals (§4, §6)', () => {
  it('maps BUSY, 20, 25/26 and others', () => {
    expect(stageOneRefusal(1).refused).toEqual({ code: 'terminal_busy', status: '1', retryable: true });
    expect(stageOneRefusal(20).refused.code).toBe('not_completed_last_tx');
    expect(stageOneRefusal(26).refused).toEqual({ code: 'terminal_error', status: '26', retryable: false });
    expect(stageOneRefusal(26).message).toMatch(/update/i);
    expect(stageOneRefusal(25).message).toMatch(/activated/i);
    expect(stageOneRefusal(3).refused.code).toBe('terminal_error');
    expect(stageOneRefusal(31).refused.code).toBe('config_invalid');
  });
});

describe('card data (§9; never beyond the masked PAN)', () => {
  it('keeps a first-6/last-4 masked PAN as sent, reduces anything else to the last four', () => {
    expect(safePanMasked('541333******1234')).toBe('541333******1234');
    expect(safePanMasked('************1234')).toBe('************1234');
    expect(safePanMasked('5413330000001234')).toBe('****1234');
    expect(safePanMasked('5413339*****1234')).toBe('****1234');
    expect(safePanMasked('')).toBeUndefined();
  });

  it('drops PAN, expiry, name, track data and binary payloads from raw, keeps the rest', () => {
    const raw = sanitiseRaw({
      PROTOCOL: 'IPP',
      STATUS: '0',
      PAN: '4111111111111111',
      EXPIRE_DATE: '2612',
      EXP_DATE: '1226',
      EMBOSS_NAME: 'J SMITH',
      TRACK2: '4111111111111111=2612101',
      TRACK2_EQUIVALENT: 'x',
      DATA: 'bin',
      PAN_MASKED: '4111111111111111',
      AUTH_CODE: 'A1B2C3',
      X_VENDOR_NOTE: 'card 4111 1111 1111 1111',
      MERCHANT_ID: '4111111111111111',
    });
    expect(raw).toEqual({
      PROTOCOL: 'IPP',
      STATUS: '0',
      PAN_MASKED: '****1111',
      AUTH_CODE: 'A1B2C3',
      X_VENDOR_NOTE: 'card ****1111',
      MERCHANT_ID: '4111111111111111',
    });
  });
});

describe('§9 response fields → ResultFields', () => {
  it('maps the documented fields and parses the processed amount exactly', () => {
    const f = resultFields({
      STATUS: '0',
      APPROVAL: '00',
      AUTH_CODE: 'A1B2C3',
      RRN: '512345678901',
      STAN: '000123',
      TERMINAL_ID: '80123457',
      MERCHANT_ID: '500000001',
      MERCHANT_NAME: 'Shop',
      AID: 'A0000000041010',
      APPL_PREF_NAME: 'Debit Mastercard',
      AID_NAME: 'MASTERCARD',
      ENTRY_MODE: 'C',
      PREAUTH_CODE: '123456',
      TX_DATE_LOCAL: '2024-05-01',
      TX_TIME_LOCAL: '12:00:01',
      SIGNATURE_NOT_REQ: '1',
      AMOUNT: '12.34',
      CURRENCY: '978',
      PAN_MASKED: '541333******1234',
    });
    expect(f).toEqual({
      authCode: 'A1B2C3',
      rrn: '512345678901',
      stan: '000123',
      terminalId: '80123457',
      merchantId: '500000001',
      merchantName: 'Shop',
      aid: 'A0000000041010',
      applicationLabel: 'Debit Mastercard',
      entryMode: 'C',
      hostCode: '00',
      terminalStatus: '0',
      preauthCode: '123456',
      txDate: '2024-05-01',
      txTime: '12:00:01',
      signatureRequired: false,
      panMasked: '541333******1234',
      cardScheme: 'MASTERCARD',
      processedAmount: money(1234, 'EUR'),
    });
  });

  it('uses the command currency when the answer has no CURRENCY, and skips unreadable amounts', () => {
    expect(resultFields({ AMOUNT: '0.50' }, 'EUR').processedAmount).toEqual(money(50, 'EUR'));
    expect(resultFields({ AMOUNT: '12.345', CURRENCY: '978' }).processedAmount).toBeUndefined();
    expect(resultFields({ AMOUNT: '1.00', CURRENCY: '001' }, 'EUR').processedAmount).toBeUndefined();
  });

  it('derives the card scheme from the AID, else from the label', () => {
    expect(cardScheme('A0000000031010')).toBe('VISA');
    expect(cardScheme('A0000000041010')).toBe('MASTERCARD');
    expect(cardScheme('A0000000043060')).toBe('MAESTRO');
    expect(cardScheme('A00000002501')).toBe('AMEX');
    expect(cardScheme(undefined, 'Maestro')).toBe('MAESTRO');
    expect(cardScheme('B000000001', 'VISA DEBIT')).toBe('VISA');
    expect(cardScheme(undefined, 'Store card')).toBeUndefined();
  });
});
