import type { PaymentRecord } from '../../src/journal/journal';
import type { PaymentResult } from '../../src/domain/payment';

/** Journal records as the bridge writes them after an IPP answer (values as the simulator sends them). */
export function record(
  over: Omit<Partial<PaymentRecord>, 'result'> & { result?: Partial<PaymentResult> | null } = {},
): PaymentRecord {
  const { result, ...rest } = over;
  const base: PaymentRecord = {
    id: 'p-1',
    register: 'pos/till-1',
    ref: 'INV-1001',
    opClass: 'payment',
    kind: 'sale',
    amount: { minor: 1234, currency: 'EUR' },
    tip: 0,
    terminal: 'lane1',
    originalId: null,
    bridgeRef: 'INV-1001',
    driverRef: 'sid-1',
    receiptNo: 17,
    stage: 'done',
    outcome: 'approved',
    settlement: 'completed',
    result: null,
    raw: { MERCHANT_NAME: 'REGISTER BRIDGE DEMO', MERCHANT_AL1: '1 DEMO STREET', MERCHANT_AL2: 'SOFIA', CVM: 'PIN' },
    message: 'Approved',
    deliveredAt: null,
    acknowledgedAt: null,
    reversedBy: null,
    createdAt: '2025-01-15T08:30:12.000Z',
    updatedAt: '2025-01-15T08:30:14.000Z',
    ...rest,
  };
  const kind = base.kind;
  return {
    ...base,
    result:
      result === null
        ? null
        : {
            ref: base.ref,
            kind,
            outcome: base.outcome ?? 'in_doubt',
            amount: base.amount,
            terminal: base.terminal,
            message: base.message,
            authCode: 'A1B2C3',
            rrn: '250115000123',
            stan: '000123',
            cardScheme: 'MASTERCARD',
            panMasked: '541333******1234',
            terminalId: '80123457',
            merchantId: '6000000001',
            merchantName: 'REGISTER BRIDGE DEMO',
            aid: 'A0000000041010',
            applicationLabel: 'Mastercard Debit',
            entryMode: 'CHIP',
            hostCode: '00',
            signatureRequired: false,
            txDate: '2025-01-15',
            txTime: '10:30:12',
            receiptNo: base.receiptNo,
            ...result,
          },
  };
}
