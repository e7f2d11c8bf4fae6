/**
 * Reads every file of a zip (yauzl) and finds what must never be in a support bundle: a secret value, a Luhn-valid
 * 13–19-digit number (a card number), or magnetic-stripe track data.
 */
import yauzl from 'yauzl';

export async function unzipAll(zip: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const archive = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))),
  );
  await new Promise<void>((res, rej) => {
    archive.on('error', rej);
    archive.on('end', () => res());
    archive.on('entry', (entry: yauzl.Entry) => {
      archive.openReadStream(entry, (e, stream) => {
        if (e) return rej(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
          archive.readEntry();
        });
      });
    });
    archive.readEntry();
  });
  return files;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** What a file must not hold, each as "file: what". */
export function forbiddenIn(files: Map<string, string>, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [name, text] of files) {
    for (const s of secrets) if (text.includes(s)) found.push(`${name}: secret ${s.slice(0, 4)}…`);
    for (const m of text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g))
      if (luhn(m[0])) found.push(`${name}: card number ${m[0].slice(0, 4)}…`);
    if (/%B\d{13,19}\^/.test(text)) found.push(`${name}: track 1 data`);
    if (/;\d{13,19}=\d{4}/.test(text)) found.push(`${name}: track 2 data`);
  }
  return found;
}
