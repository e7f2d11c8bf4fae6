/**
 * Micro-bench of the pure work a sale does outside the journal: receipt data, card-data scrubbing, the IPP codec and
 * answer mapping, the native register line. Each piece runs on the values a simulated IPP sale carries; µs per call.
 *
 *   node --import tsx bench/hot-path.ts [iterations]
 *
 * Pure CPU, no sockets and no disk: compare before and after a change in the same minutes (the machine is shared).
 */
import type { PaymentRecord } from '../src/journal/journal';
import { receiptData } from '../src/receipts/build';
import { scrubCardData } from '../src/domain/card-data';
import { decodeIppBody, encodeIpp, IppReader } from '../src/terminal/ipp/codec';
import { IppDriver } from '../src/terminal/ipp/driver';
import { decodeInto, IppInbox, type IppLink } from '../src/terminal/ipp/link';
import { silentLogger } from '../src/log/logger';
import { money } from '../src/domain/money';
import { withHeader } from '../src/terminal/ipp/requests';
import { resultFields, sanitiseRaw } from '../src/terminal/ipp/results';
import { parseRequest, resultMessage } from '../src/register/native/messages';
import { registerTexts } from '../src/register/texts';
import type { PaymentResult } from '../src/domain/payment';
import { record as receiptRecord } from '../test/unit/receipt-fixtures';

const N = Number(process.argv[2] ?? 20000);

/** A stage-5 answer as the simulator sends it for an approved chip sale. */
const FINAL: Array<[string, string]> = [
  ['PROTOCOL', 'IPP'],
  ['VERSION', '202'],
  ['METHOD', 'PURCHASE'],
  ['SID', '5f0c7d2e-8a41-4c55-9b7e-0d3f2a6c1e99'],
  ['STAGE', '5'],
  ['STATUS', '0'],
  ['AMOUNT', '12.34'],
  ['CURRENCY', '978'],
  ['REFERENCE_NUMBER', 'R123456'],
  ['APPROVAL', '00'],
  ['AUTH_CODE', '0A1B2C'],
  ['RRN', '261208000123'],
  ['STAN', '000123'],
  ['TERMINAL_ID', '80123457'],
  ['MERCHANT_ID', '6000000001'],
  ['MERCHANT_NAME', 'REGISTER BRIDGE DEMO'],
  ['MERCHANT_AL1', '1 DEMO STREET'],
  ['MERCHANT_AL2', 'SOFIA'],
  ['TX_DATE_LOCAL', '2026-12-08'],
  ['TX_TIME_LOCAL', '01:30:12'],
  ['PAN_MASKED', '541333******1234'],
  ['AID', 'A0000000041010'],
  ['AID_NAME', 'MASTERCARD'],
  ['APPL_PREF_NAME', 'Mastercard Debit'],
  ['ENTRY_MODE', 'CHIP'],
  ['CVM', 'PIN'],
  ['SIGNATURE_NOT_REQ', '1'],
];
const finalBody = encodeIpp(FINAL).subarray(2);
const props = Object.fromEntries(FINAL);
const fields = resultFields(props, 'EUR');
const raw = sanitiseRaw(props);

const result: PaymentResult = {
  ...fields,
  ref: 'R123456',
  kind: 'sale',
  outcome: 'approved',
  amount: { minor: 1234, currency: 'EUR' },
  terminal: 'lane1',
  message: 'Approved',
  receiptNo: 17,
};

const record: PaymentRecord = receiptRecord({
  id: '0b7d3c1e-1f2a-4c3d-8e9f-a0b1c2d3e4f5',
  register: 'native/till-1',
  ref: 'R123456',
  bridgeRef: 'R123456',
  driverRef: '5f0c7d2e-8a41-4c55-9b7e-0d3f2a6c1e99',
  settlement: 'pending',
  result,
  raw,
  createdAt: '2026-12-08T01:30:11.482Z',
});
/** What a scripted terminal answers: no local date or time, so the receipt takes the journal's. */
const bareRecord: PaymentRecord = { ...record, raw: {}, result: { ...result, txDate: undefined, txTime: undefined } };
const stepData = { stage: 'present_card', message: 'Present the card' };
const receipt = receiptData(record, undefined);
const texts = registerTexts(undefined);
const saleLine = JSON.stringify({ op: 'sale', id: 42, ref: 'R123456', amount: 1234, currency: 'EUR' });
const request = { method: 'PURCHASE', fields: FINAL.slice(6, 9) as Array<[string, string]> };

const cases: Array<[string, () => unknown]> = [
  ['receiptData (IPP answer)', () => receiptData(record, undefined)],
  ['receiptData (no local time)', () => receiptData(bareRecord, undefined)],
  ['scrubCardData(receipt)', () => scrubCardData(receipt)],
  ['scrubCardData(result)', () => scrubCardData(result)],
  ['scrubCardData(raw)', () => scrubCardData(raw)],
  ['scrubCardData(step)', () => scrubCardData(stepData)],
  ['encodeIpp(request)', () => encodeIpp(withHeader('202', 'sid-1', request, undefined))],
  ['decodeIppBody(final)', () => decodeIppBody(finalBody)],
  [
    'answer read (toRecord, stage, status, timeout)',
    () => {
      const m = decodeIppBody(finalBody);
      return [m.toRecord(), m.stage, m.status, m.timeout, m.sid, m.method];
    },
  ],
  ['sanitiseRaw + resultFields', () => [sanitiseRaw(props), resultFields(props, 'EUR')]],
  ['native parseRequest(sale)', () => parseRequest(saleLine)],
  ['native result line', () => JSON.stringify(resultMessage('42', result, texts))],
];

/**
 * A terminal in memory that answers at once, as the simulator does: PURCHASE with STAGE 1, 2, 3 and the final answer
 * above, COMPLETE_TX with STAGE 1 and 5. The driver's whole path runs (request, decoding, the exchange, the outcome).
 */
const SID = FINAL[3]![1];
const header = (method: string, stage: number, timeout?: number): Array<[string, string]> => [
  ['PROTOCOL', 'IPP'],
  ['METHOD', method],
  ['SID', SID],
  ['STAGE', String(stage)],
  ['STATUS', '0'],
  ...(timeout === undefined ? [] : ([['TIMEOUT', String(timeout)]] as Array<[string, string]>)),
];
const ANSWERS: Record<string, Buffer[]> = {
  PURCHASE: [
    encodeIpp(header('PURCHASE', 1, 60)),
    encodeIpp(header('PURCHASE', 2, 30)),
    encodeIpp(header('PURCHASE', 3, 30)),
    encodeIpp(FINAL),
  ],
  COMPLETE_TX: [
    encodeIpp(header('COMPLETE_TX', 1, 30)),
    encodeIpp([...header('COMPLETE_TX', 5), ...FINAL.slice(9, 13)]),
  ],
};
const memoryTerminal: IppLink = {
  description: 'memory',
  async open() {
    const inbox = new IppInbox();
    const reader = new IppReader();
    return {
      description: 'memory',
      async write(frame) {
        const method = Buffer.from(frame).includes('METHOD=PURCHASE') ? 'PURCHASE' : 'COMPLETE_TX';
        for (const answer of ANSWERS[method]!) decodeInto(reader, answer, (e) => inbox.push(e));
      },
      readable: () => inbox.readable(),
      take: () => inbox.take(),
      release: () => inbox.close(),
    };
  },
};
const ippDriver = new IppDriver({ link: memoryTerminal, currency: 'EUR', logger: silentLogger(), sid: () => SID });
const driverContext = {
  signal: new AbortController().signal,
  stage: () => undefined,
  beforeSend: async () => undefined,
};
async function ippSale(): Promise<void> {
  const sale = { kind: 'sale' as const, amount: money(1234, 'EUR'), reference: 'R123456' };
  const out = await ippDriver.execute(sale, driverContext);
  if (out.outcome !== 'approved') throw new Error(`IPP sale ${out.outcome}: ${out.message}`);
  const settled = await ippDriver.settle(SID, 'complete');
  if (!settled.ok) throw new Error(`COMPLETE_TX: ${settled.message}`);
}

let sink = 0;
for (const [name, fn] of cases) {
  for (let i = 0; i < Math.min(N, 2000); i++) sink ^= fn() === undefined ? 1 : 0;
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink ^= fn() === undefined ? 1 : 0;
    best.push(Number(process.hrtime.bigint() - t0) / 1000 / N);
  }
  best.sort((a, b) => a - b);
  console.log(`${name.padEnd(48)} ${best[0]!.toFixed(2).padStart(7)} µs (median ${best[2]!.toFixed(2)})`);
}
{
  const n = Math.max(1000, Math.floor(N / 10));
  for (let i = 0; i < 500; i++) await ippSale();
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await ippSale();
    best.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  best.sort((a, b) => a - b);
  const name = 'IPP driver sale (PURCHASE + COMPLETE_TX, memory)';
  console.log(`${name.padEnd(48)} ${best[0]!.toFixed(2).padStart(7)} µs (median ${best[2]!.toFixed(2)})`);
}
if (sink === 42) console.log('');
