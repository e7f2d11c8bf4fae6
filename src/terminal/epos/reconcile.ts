/**
 * Finding a payment by its `reference_number` (spec §9.3): the only client handle the gateway echoes back.
 * The list's sort order is undocumented, so the first pages **and** the last pages are scanned.
 */
import type { Clock } from './clock';
import type { EposGatewayClient } from './gateway-client';
import type { EposPaymentListItem } from './wire';

export interface ScanOptions {
  /** Items per page, 1–100 (§5). Default 100. */
  readonly pageSize?: number;
  /** Pages scanned from the front. Default 3. */
  readonly firstPages?: number;
  /** Pages scanned from the back. Default 2. */
  readonly lastPages?: number;
}

/** Every list item carrying `reference`. Throws EposError when a page cannot be read (the caller cannot tell). */
export async function scanForReference(
  client: EposGatewayClient,
  terminalId: string,
  reference: string,
  options: ScanOptions = {},
): Promise<EposPaymentListItem[]> {
  const size = options.pageSize ?? 100;
  const first = options.firstPages ?? 3;
  const last = options.lastPages ?? 2;
  const found = new Map<string, EposPaymentListItem>();
  const take = (items: EposPaymentListItem[]): void => {
    for (const i of items) if (i.referenceNumber === reference) found.set(i.paymentId, i);
  };
  const page1 = await client.listPayments(terminalId, 1, size);
  take(page1.items);
  const total = Math.max(1, page1.totalPages);
  const pages = new Set<number>();
  for (let p = 2; p <= Math.min(first, total); p++) pages.add(p);
  for (let p = Math.max(2, total - last + 1); p <= total; p++) pages.add(p);
  for (const p of [...pages].sort((a, b) => a - b)) take((await client.listPayments(terminalId, p, size)).items);
  return [...found.values()];
}

export type Reconciliation =
  | { readonly kind: 'found'; readonly item: EposPaymentListItem; readonly duplicates: number }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly error: unknown };

/**
 * §9.3: found → adopt its id; not found in `scans` scans `gapMs` apart (default two, 10 s) → the payment was not
 * created; a list failure → cannot tell.
 */
export async function reconcileByReference(
  client: EposGatewayClient,
  clock: Clock,
  terminalId: string,
  reference: string,
  options: ScanOptions & { gapMs?: number; scans?: number } = {},
): Promise<Reconciliation> {
  const scans = options.scans ?? 2;
  for (let i = 0; i < scans; i++) {
    if (i > 0) await clock.sleep(options.gapMs ?? 10_000);
    let items: EposPaymentListItem[];
    try {
      items = await scanForReference(client, terminalId, reference, options);
    } catch (error) {
      return { kind: 'unknown', error };
    }
    if (items.length > 0) {
      // Several payments with one reference should never happen; prefer one that is running or approved.
      const rank = (s: string | undefined): number =>
        s === 'Success' || s === 'Completed' ? 0 : s === 'InProgress' ? 1 : 2;
      const item = [...items].sort((a, b) => rank(a.status) - rank(b.status))[0]!;
      return { kind: 'found', item, duplicates: items.length - 1 };
    }
  }
  return { kind: 'absent' };
}
