/**
 * Masks anything in free text that looks like card data or a credential before it can reach a log line:
 * 13–19 digit runs (optionally split by spaces or dashes) that pass the Luhn check keep only their last 4 digits;
 * track-2 equivalents (PAN=YYMM…) and bearer tokens are replaced.
 */
const PAN_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;
const TRACK2 = /;?\d{12,19}=\d{4,}\??/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function redactText(text: string): string {
  return text
    .replace(TRACK2, '[track data redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(PAN_CANDIDATE, (match) => {
      const digits = match.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
      return `****${digits.slice(-4)}`;
    });
}

/** Masks a PAN for display and storage: only the last four digits, e.g. "****1234". Already-masked input is normalised. */
export function maskPan(pan: string | undefined): string | undefined {
  if (!pan) return undefined;
  const digits = pan.replace(/[^0-9]/g, '');
  if (digits.length < 4) return undefined;
  return `****${digits.slice(-4)}`;
}
