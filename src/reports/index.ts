/**
 * End-of-day totals, reconciliation with the host, and their CSV/JSON exports. See docs/receipts.md.
 */
export * from './business-day';
export * from './totals';
export * from './reconcile';
export * from './host';
export * from '../shared/report-export';
export * from './day-reports';
export * from './settings';
export { systemTimeZone, isTimeZone } from '../domain/time-zone';
