/**
 * The shop's language over real sockets: with `merchant.locale`, a native register that asks for receipts gets them
 * in that language (amounts as the country writes them) and every progress, result and error `message` in it; the
 * text protocol's message field too. Codes, stages and outcome words stay the protocol's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startHarness, type Harness } from '../helpers/bridge-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CASES = [
  {
    locale: 'de-DE',
    amount: /BETRAG +EUR 12,34/,
    words: ['KARTENZAHLUNG', 'ZAHLUNG ERFOLGT', 'Genehmigungs-Nr.', 'KUNDENBELEG'],
    present: 'Bitte Karte vorhalten oder einstecken',
    approved: 'Zahlung erfolgt',
    unknownRef: 'Für diese Kasse ist keine Zahlung mit der Referenz „NOPE“ bekannt',
  },
  {
    locale: 'fr-FR',
    amount: /MONTANT +12,34 EUR/,
    words: ['CARTE BANCAIRE - DEBIT', 'TICKET CLIENT', 'A CONSERVER', 'PAIEMENT ACCEPTE'],
    present: 'Présentez ou insérez la carte',
    approved: 'Paiement accepté',
    unknownRef: "Aucun paiement de référence « NOPE » n'est connu pour cette caisse",
  },
  {
    locale: 'bg-BG',
    amount: /СУМА +12,34 EUR/,
    words: ['ПЛАЩАНЕ С КАРТА', 'ОДОБРЕНА', 'КОПИЕ ЗА КЛИЕНТА'],
    present: 'Доближете или поставете картата',
    approved: 'Плащането е одобрено',
    unknownRef: 'Няма известно плащане с референция „NOPE“ за тази каса',
  },
] as const;

const ENGLISH = /\b(SALE|APPROVED|TOTAL|CUSTOMER COPY|MERCHANT COPY|Card number|Please retain)\b/;

describe("registers in the shop's language (merchant.locale)", () => {
  for (const c of CASES) {
    it(`${c.locale}: native receipts with 12,34, progress, result and error messages in that language`, async () => {
      h = await startHarness({ config: { merchant: { locale: c.locale } } });
      const pos = await h.client();
      await pos.request({ op: 'hello', id: 'h', receipts: 'text' }, ['hello']);
      const result = await pos.request({ op: 'sale', id: '1', ref: 'L-1', amount: 1234, currency: 'EUR' });
      expect(result).toMatchObject({ type: 'result', outcome: 'approved', message: c.approved });
      const receipt = result.receipt as { merchant: string[]; customer: string[] };
      for (const copy of [receipt.merchant, receipt.customer]) {
        const text = copy.join('\n');
        expect(text).toMatch(c.amount);
        expect(text).not.toMatch(ENGLISH);
      }
      for (const word of c.words) expect([...receipt.merchant, ...receipt.customer].join('\n')).toContain(word);
      const progress = pos.of('1').filter((m) => m.type === 'progress');
      // Stage names stay the protocol's; the words are the shop's.
      expect(progress.map((m) => m.stage)).toEqual(expect.arrayContaining(['queued', 'present_card']));
      expect(progress.find((m) => m.stage === 'present_card')?.message).toBe(c.present);
      const error = await pos.request({ op: 'status', id: '2', ref: 'NOPE' }, ['error']);
      expect(error).toMatchObject({ type: 'error', code: 'unknown_ref', message: c.unknownRef });
    });
  }

  it("a listener's own locale wins over the shop's; without any, English as before", async () => {
    h = await startHarness({ config: { merchant: { locale: 'de-DE' } }, listener: { locale: 'it-IT' } });
    const pos = await h.client();
    await pos.request({ op: 'hello', id: 'h', receipts: 'text' }, ['hello']);
    const result = await pos.request({ op: 'sale', id: '1', ref: 'L-2', amount: 1234, currency: 'EUR' });
    expect(result.message).toBe('Pagamento effettuato');
    expect((result.receipt as { customer: string[] }).customer.join('\n')).toMatch(/IMPORTO +EUR 12,34/);
    await h.close();
    h = await startHarness();
    const en = await h.client();
    await en.request({ op: 'hello', id: 'h', receipts: 'text' }, ['hello']);
    const plain = await en.request({ op: 'sale', id: '1', ref: 'L-3', amount: 1234, currency: 'EUR' });
    expect(plain.message).toBe('Approved');
    expect((plain.receipt as { customer: string[] }).customer.join('\n')).toMatch(/TOTAL +EUR 12\.34/);
  });

  it("text protocol: the message field and error texts in the shop's language, in ASCII", async () => {
    h = await startHarness({
      config: { merchant: { locale: 'de-DE' } },
      listener: { protocol: 'text', options: { message: true } },
    });
    const socket = connect({ host: '127.0.0.1', port: h.port });
    await once(socket, 'connect');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.write('SALE;T-1;12.34;EUR\r\nSTATUS;NOPE\r\n');
    const until = Date.now() + 20_000;
    while (!(text.includes('OK;T-1;') && text.includes('ERR;NOPE')) && Date.now() < until) await once(socket, 'data');
    socket.destroy();
    expect(text).toMatch(/^OK;T-1;APPROVED;\w+;Zahlung erfolgt\r$/m);
    expect(text).toContain('ERR;NOPE;unknown_ref;Fuer diese Kasse ist keine Zahlung mit der Referenz "NOPE" bekannt');
  });
});
