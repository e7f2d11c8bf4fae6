/** Currencies with each exponent the bridge meets: 2 (EUR, USD, GBP, BGN), 0 (JPY, ISK, CLP), 3 (BHD, KWD). */
export const currencyCodes = ['EUR', 'USD', 'GBP', 'BGN', 'JPY', 'ISK', 'CLP', 'BHD', 'KWD'] as const;
