/**
 * The card-data policy, one table: for each named rule, what a card number (and what is no card number) becomes.
 * Every place that writes card data somewhere uses one of these rules; the cases below are the contract.
 */
import { describe, expect, it } from 'vitest';
import {
  isCardNumber,
  isReferenceKey,
  luhnValid,
  panRules,
  scrubCardData,
  textRules,
} from '../../src/domain/card-data';

type Rule = `text.${keyof typeof textRules}` | `pan.${keyof typeof panRules}`;

function apply(rule: Rule, input: unknown): unknown {
  const [kind, name] = rule.split('.') as ['text' | 'pan', string];
  if (kind === 'text') return textRules[name as keyof typeof textRules](input as string);
  return panRules[name as keyof typeof panRules](input as string);
}

const CARD = '4111111111111111'; // Luhn-valid test Visa
const TIMESTAMP_REF = '20261207171301'; // 14 digits, Luhn-valid: a register's reference, not a card
const SID = '41111111-1111-1111-a2cf-8d127ae52357'; // an IPP SID whose first three groups read as a card number

const table: ReadonlyArray<readonly [Rule, string, unknown, unknown]> = [
  // log text: word-bounded Luhn-valid runs of 13–19 digits keep their last four; track data, bearer tokens go.
  ['text.log', 'a card number', `card ${CARD} ok`, 'card ****1111 ok'],
  ['text.log', 'grouped with spaces', 'card 4111 1111 1111 1111', 'card ****1111'],
  ['text.log', 'grouped with dashes', '4111-1111-1111-1111', '****1111'],
  ['text.log', 'a long digit string that fails Luhn', '4111111111111112', '4111111111111112'],
  ['text.log', 'a UUID whose groups look like a card', `SID ${SID}`, `SID ${SID}`],
  ['text.log', 'digits glued to letters (no word boundary)', `X${CARD}`, `X${CARD}`],
  ['text.log', 'track 2', `;${CARD}=25121010000000000000?`, '[track data redacted]'],
  ['text.log', 'track 2 equivalent (EMV tag 57)', `${CARD}D2512101`, '[track data redacted]'],
  ['text.log', 'track 1', `%B${CARD}^DOE/JOHN^2512101?`, '[track data redacted]'],
  ['text.log', 'a bearer token', 'Authorization: Bearer abc.def-123', 'Authorization: Bearer [redacted]'],
  ['text.log', '12 digits are too short', '411111111111', '411111111111'],
  ['text.log', 'after another number and one space', `lane 12 ${CARD} ok`, 'lane 12 ****1111 ok'],
  ['text.log', 'before another number and one space', `${CARD} 12`, '****1111 12'],
  ['text.log', 'grouped, between numbers, with dashes', '7-4111-1111-1111-1111-9', '7-****1111-9'],
  ['text.log', 'two numbers beside each other, no card', '12 4111111111111112', '12 4111111111111112'],
  // receipt text: any digit run containing a card number, also inside words; AIDs (leading zeros) stay.
  ['text.receipt', 'a card number', `card ${CARD}`, 'card ****1111'],
  ['text.receipt', 'glued to letters', `X${CARD}Y`, 'X****1111Y'],
  ['text.receipt', 'grouped with dots', '4111.1111.1111.1111', '****1111'],
  ['text.receipt', 'an EMV AID', 'AID A0000000041010', 'AID A0000000041010'],
  ['text.receipt', '12 digits are too short', 'order 411111111111', 'order 411111111111'],
  // log PAN field: last four only.
  ['pan.log', 'a full PAN', CARD, '****1111'],
  ['pan.log', 'a masked PAN', '541333******1234', '****1234'],
  ['pan.log', 'fewer than four digits', '***12', undefined],
  ['pan.log', 'nothing', '', undefined],
  // receipt PAN: stars for the length the terminal sent (12–19), then the last four.
  ['pan.receipt', 'a masked 16-digit PAN', '541333******1234', '************1234'],
  ['pan.receipt', 'a full PAN', CARD, '************1111'],
  ['pan.receipt', 'a PAN with spaces', '5413 33** **** 1234', '************1234'],
  ['pan.receipt', 'words around digits (length unknown)', 'card ending 1234', '****1234'],
  ['pan.receipt', 'no string', 1234, undefined],
  // register PAN (ZVT BMP 22, ECR17): masked passes with *, a bare PAN keeps first six and last four.
  ['pan.register', 'a masked PAN', '541333******1234', '541333******1234'],
  ['pan.register', 'X as the mask character', '541333XXXXXX1234', '541333******1234'],
  ['pan.register', 'a full PAN', CARD, '411111******1111'],
  ['pan.register', 'a short digit string', '1234567890', '******7890'],
  ['pan.register', 'letters', 'VISA 1234', undefined],
  ['pan.register', 'over 19 characters', '41111111111111111111', undefined],
];

describe('card-data policy', () => {
  it.each(table)('%s: %s', (rule, _what, input, expected) => {
    expect(apply(rule, input)).toBe(expected);
  });

  it('no rule lets a whole card number through', () => {
    for (const rule of ['text.log', 'text.receipt', 'pan.log', 'pan.receipt', 'pan.register'] as const) {
      const out = apply(rule, CARD);
      expect(String(out)).not.toContain(CARD);
    }
  });

  it('references are never masked, whatever their digits; card data around them is', () => {
    expect(luhnValid(TIMESTAMP_REF)).toBe(true);
    expect(isCardNumber(TIMESTAMP_REF)).toBe(true);
    for (const key of ['ref', 'reference', 'originalRef', 'terminalRef']) expect(isReferenceKey(key)).toBe(true);
    for (const key of ['message', 'panMasked', 'refs', 'Ref']) expect(isReferenceKey(key)).toBe(false);
    const stored = scrubCardData({
      ref: TIMESTAMP_REF,
      originalRef: TIMESTAMP_REF,
      message: `declined for ${TIMESTAMP_REF}`,
      panMasked: CARD,
      PAN: CARD,
      nested: [{ ref: TIMESTAMP_REF, text: `card ${CARD}` }],
    });
    expect(stored).toEqual({
      ref: TIMESTAMP_REF,
      originalRef: TIMESTAMP_REF,
      message: 'declined for ****1301',
      panMasked: '****1111',
      nested: [{ ref: TIMESTAMP_REF, text: 'card ****1111' }],
    });
  });
});
