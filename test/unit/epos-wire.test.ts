import { describe, expect, it } from 'vitest';
import {
  parsePayment,
  parsePaymentPage,
  parseTerminalPage,
  parseTimestamp,
  parseTransactionDateLocal,
  parseTransactions,
  parseCancelAnswer,
} from '../../src/terminal/epos/wire';
import { classifyStatus, isFinalStatus, paymentOutcome } from '../../src/terminal/epos/status';
import { EposError, parseProblem } from '../../src/terminal/epos/errors';
import { parseRetryAfter } from '../../src/terminal/epos/http';

describe('ePOS wire readers', () => {
  it('reads the three timestamp forms, mapping the .NET default to null (§5)', () => {
    expect(parseTimestamp('2025-10-27T09:56:24')).toBe('2025-10-27T09:56:24');
    expect(parseTimestamp('2025-10-27T09:56:24+03:00')).toBe('2025-10-27T09:56:24+03:00');
    expect(parseTimestamp('0001-01-01T00:00:00')).toBeNull();
    expect(parseTimestamp('yesterday')).toBeNull();
    expect(parseTransactionDateLocal('251027095624')).toEqual({ date: '2025-10-27', time: '09:56:24' });
    expect(parseTransactionDateLocal('2510')).toBeUndefined();
  });

  it('reads a payment, masking a PAN it was given in full', () => {
    const p = parsePayment({
      payment_id: '68ff25a853659f6448da0eba',
      status: 'Success',
      amount: { value: 2500, currency_code: 'EUR', tip: 100 },
      reference_number: 'R1',
      response_code: '00',
      pan: '4111111111111111',
      stan: '000408',
      created_at: '2025-10-27T09:56:24',
      updated_at: '0001-01-01T00:00:00',
      extra_field: 'kept',
    });
    expect(p).toMatchObject({
      paymentId: '68ff25a853659f6448da0eba',
      status: 'Success',
      amount: { value: 2500, currencyCode: 'EUR', tip: 100 },
      panMasked: '****1111',
      updatedAt: null,
    });
    expect(p.raw.pan).toBe('****1111');
    expect(JSON.stringify(p.raw)).not.toContain('4111111111111111');
    expect(p.raw.extra_field).toBe('kept');
  });

  it('accepts request_id for payment_id and refuses a payment without id or status', () => {
    expect(parsePayment({ request_id: 'abc', status: 'InProgress' }).paymentId).toBe('abc');
    expect(() => parsePayment({ status: 'InProgress' })).toThrow(/payment_id/);
    expect(() => parsePayment({ payment_id: 'x' })).toThrow(/status/);
  });

  it('reads both DELETE answer shapes (§6.4)', () => {
    expect(parseCancelAnswer({ id: 'a' })).toEqual({ id: 'a' });
    expect(parseCancelAnswer({ request_id: 'a', status: 'InProgress' })).toEqual({ id: 'a', status: 'InProgress' });
  });

  it('reads the flat ePOS page and the /pos/v1 wrapper', () => {
    const page = parsePaymentPage(
      {
        items: [{ request_id: 'x1', reference_number: 'R', status: 'InProgress' }, { nothing: 1 }],
        page: 2,
        page_size: 1,
        total_pages: 3,
        total_count: 3,
        has_previous_page: true,
        has_next_page: true,
      },
      2,
    );
    expect(page).toEqual({
      items: [{ paymentId: 'x1', referenceNumber: 'R', status: 'InProgress' }],
      page: 2,
      pageSize: 1,
      totalPages: 3,
      totalCount: 3,
      hasNextPage: true,
    });
    const t = parseTerminalPage({
      pagination: { page: 1, page_size: 20, total_pages: 1, total_count: 1 },
      terminals: [{ terminal_id: '80123457', serial_number: 'S', model: 'N96' }],
    });
    expect(t.terminals).toEqual([{ terminalId: '80123457', serialNumber: 'S', model: 'N96' }]);
  });

  it('keeps /pos/v1 transaction amounts as decimal text, never minor units', () => {
    const [tx] = parseTransactions({
      transactions: [{ amount: 0.22, currency: 'EUR', reference_number: 'R', date: '0001-01-01T00:00:00' }],
    });
    expect(tx!.amount).toEqual({ decimal: '0.22' });
    expect(tx!.date).toBeNull();
  });
});

describe('ePOS statuses (§7)', () => {
  it('maps the six statuses and reads Completed as approved', () => {
    expect(paymentOutcome('Success')).toBe('approved');
    expect(paymentOutcome('Completed')).toBe('approved');
    expect(paymentOutcome('Failed')).toBe('declined');
    expect(paymentOutcome('Rejected')).toBe('failed');
    expect(paymentOutcome('Canceled')).toBe('cancelled');
    expect(paymentOutcome('Reversed')).toBe('cancelled');
    expect(paymentOutcome('InProgress')).toBeUndefined();
  });

  it('never treats an unknown status as final', () => {
    for (const s of ['PendingX', 'Cancelled', 'success', '', 'Approved']) {
      expect(isFinalStatus(s)).toBe(false);
      expect(paymentOutcome(s)).toBeUndefined();
      expect(classifyStatus(s)).toBe('unknown');
    }
  });
});

describe('ePOS errors', () => {
  it('turns ProblemDetails with field errors into one clear message', () => {
    const p = parseProblem(
      {
        type: 'x',
        title: 'One or more validation errors occurred.',
        status: 400,
        errors: { 'amount.value': ['must be positive'] },
      },
      '',
    );
    const e = new EposError({
      code: 'bad_request',
      status: 400,
      method: 'POST',
      path: '/epos/v1/payments',
      ...(p.title ? { title: p.title } : {}),
      ...(p.errors ? { fieldErrors: p.errors } : {}),
    });
    expect(e.message).toBe(
      'myPOS gateway answered POST /epos/v1/payments with 400 One or more validation errors occurred.: amount.value: must be positive',
    );
    expect(e.mayHaveBeenProcessed).toBe(false);
  });

  it('keeps a bare text 500 body as the detail', () => {
    expect(parseProblem(undefined, 'Object reference not set')).toEqual({ detail: 'Object reference not set' });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2025, 9, 27, 9, 0, 0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 12_000).toUTCString(), now)).toBe(12_000);
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
