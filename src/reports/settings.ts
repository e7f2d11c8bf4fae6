/**
 * The `merchant`, `receipts`, `businessDay` and `reports` sections of the configuration, as the bridge and the
 * `reconcile` command use them.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema';
import type { EscPosOptions, ReceiptWidth } from '../receipts/types';
import type { DayReportSettings } from './day-reports';

export function reportSettings(config: Config, dataDir: string): DayReportSettings {
  const tz = config.businessDay.timeZone;
  return {
    businessDay: { cutoffHour: config.businessDay.cutoffHour, ...(tz ? { timeZone: tz } : {}) },
    receipts: {
      ...(config.merchant ? { merchant: config.merchant } : {}),
      footer: config.receipts.footer,
      ...(tz ? { timeZone: tz } : {}),
    },
    reconcileAfterEndOfDay: config.reports.reconcileAfterEndOfDay,
    host: { lookups: config.reports.terminalLookups },
    ...(config.reports.export ? { exportDir: join(dataDir, 'reports') } : {}),
  };
}

export function receiptDefaults(config: Config): { width: ReceiptWidth; escpos: EscPosOptions; locale?: string } {
  const r = config.receipts;
  const locale = config.merchant?.locale;
  return {
    width: r.width,
    escpos: {
      cut: r.cut,
      ...(r.codePage !== undefined ? { codePage: r.codePage } : {}),
      ...(r.codePageNumber !== undefined ? { codePageNumber: r.codePageNumber } : {}),
    },
    ...(locale ? { locale } : {}),
  };
}
