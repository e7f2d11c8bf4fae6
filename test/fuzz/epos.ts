/**
 * The myPOS API Gateway's answers as the ePOS client reads them (src/terminal/epos/wire.ts, errors.ts): payments,
 * payment lists, terminals, transactions and ProblemDetails. Whatever a gateway (or something in between) sends must
 * come out as a value or a WireError — and no card number may survive into `raw`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProblem } from '../../src/terminal/epos/errors';
import {
  parseCancelAnswer,
  parsePayment,
  parsePaymentPage,
  parseTerminalDetails,
  parseTerminalPage,
  parseTransactions,
  WireError,
} from '../../src/terminal/epos/wire';
import { target, type FuzzTarget } from './target';

const PAYMENT = {
  payment_id: 'a3f1c2d4-0001',
  status: 'Success',
  terminal_id: '80123457',
  reference_number: 'INV-1001',
  amount: { value: 1234, currency_code: 'EUR', tip: 0 },
  created_at: '2025-10-27T09:56:24',
  updated_at: '2025-10-27T09:56:30+03:00',
  response_code: '00',
  auth_code: 'A1B2C3',
  rrn: '512345678901',
  pan: '4111111111111111',
  card: { pan: '4111111111111111', emboss_name: 'J DOE', exp_date: '2712', scheme: 'VISA' },
  transaction_date_local: '251027095630',
  signature_required: false,
};
const PAGE = {
  items: [PAYMENT, { request_id: 'x', reference_number: 'INV-2', status: 'InProgress' }, null, 7],
  page: 1,
  page_size: 20,
  total_count: 2,
  total_pages: 1,
  has_next_page: false,
};
const TERMINALS = {
  pagination: { page: 1, page_size: 10, total_count: 1 },
  terminals: [{ terminal_id: '80123457', serial_number: 'N96', model: 'N96' }, {}],
};
const TRANSACTIONS = {
  transactions: [
    { date: '2025-10-27T09:56:24', amount: 12.34, currency: 'EUR', type: 'Purchase', pan: '4111111111111111' },
    'x',
  ],
};
const PROBLEM = {
  type: 'about:blank',
  title: 'Bad Request',
  status: 400,
  detail: 'x',
  errors: { amount: ['bad'], other: 'one' },
};
/** Field errors that are objects whose keys shadow Object.prototype (valid JSON; String() of it throws). */
const ODD_PROBLEM: unknown = JSON.parse(
  '{"type":"about:blank","status":400,"errors":{"amount":[{"toString":""},{"valueOf":1}],"currency":[null,3,true]}}',
);
const SEEDS: unknown[] = [PAYMENT, PAGE, TERMINALS, TRANSACTIONS, PROBLEM, ODD_PROBLEM];

function paths(
  v: unknown,
  at: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  out.push(at);
  if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** A seed with one value somewhere replaced (JSON-level mutation). */
const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.jsonValue({ maxDepth: 2 }))
  .map(([seed, at, value]) => {
    const doc = structuredClone(seed) as Record<string | number, unknown>;
    const all = paths(doc).filter((p) => p.length > 0);
    const path = all[at % all.length]!;
    const parent = path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, doc);
    parent[path[path.length - 1]!] = value;
    return doc as unknown;
  });

/** Deeply nested JSON, as a broken proxy or a hostile answer might send. */
const deep = fc.integer({ min: 1, max: 4000 }).map((depth) => {
  let v: unknown = { payment_id: 'p', status: 'Success' };
  for (let i = 0; i < depth; i++) v = { payment_id: 'p', status: 'Success', nested: v };
  return v;
});

const PARSERS: Array<[string, (b: unknown) => unknown]> = [
  ['parsePayment', parsePayment],
  ['parsePaymentPage', (b) => parsePaymentPage(b, 1)],
  ['parseTerminalPage', parseTerminalPage],
  ['parseTerminalDetails', parseTerminalDetails],
  ['parseTransactions', parseTransactions],
  ['parseCancelAnswer', parseCancelAnswer],
];

const answers = target({
  name: 'epos: gateway answers (payments, lists, terminals, problems)',
  arbitrary: fc.oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
    { weight: 1, arbitrary: deep },
  ),
  check: (body) => {
    for (const [name, parse] of PARSERS) {
      let out: unknown;
      try {
        out = parse(body);
      } catch (e) {
        assert.ok(e instanceof WireError, `${name} threw ${String(e)}`);
        continue;
      }
      const raw = (out as { raw?: Record<string, string> } | undefined)?.raw;
      if (raw)
        for (const [k, v] of Object.entries(raw))
          assert.ok(!v.includes('4111111111111111'), `${name} kept a card number in raw.${k}`);
      const pan = (out as { panMasked?: string } | undefined)?.panMasked;
      if (pan !== undefined) assert.doesNotMatch(pan, /[0-9]{5,}/);
    }
    const p = parseProblem(body, typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
    assert.ok(p && typeof p === 'object');
  },
});

export const eposTargets: FuzzTarget[] = [answers];
