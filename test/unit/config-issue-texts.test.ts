/**
 * Configuration problems and the device list's note are coded texts the status page writes in its language
 * (src/config/issue-text.ts, docs/localisation.md): each kind of zod issue the settings can raise becomes a code of
 * `core.config.issue` with its parameters (expected type, minimum, maximum, allowed values, unknown fields …), a
 * problem the schema states itself carries its own code, and every code resolves in every language of the page with
 * each placeholder filled. The English words stay the ones the command line prints.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { codedIssue, schemaIssues, zodIssueText } from '../../src/config/issue-text';
import { configIssues } from '../../src/config/load';
import { coreText, writeCoreText, type CoreText, type LooseT } from '../../src/i18n/core-text';
import { translator } from '../../src/i18n';
import { english } from '../../src/i18n/say';
import { listDevices } from '../../src/transport/discovery';
import { DeviceError } from '../../src/transport/usb/device-error';
import { secretWarningTexts } from '../../src/status/settings';
import { catalogue, flatten } from '../helpers/ui-catalogue';

/** The languages the status page is offered in (those with a `ui` catalogue). */
const PAGE_LANGUAGES = ['en', 'de', 'fr', 'it', 'es', 'bg'] as const;

const write = (lang: string, text: CoreText | readonly CoreText[]): string =>
  writeCoreText(translator('ui', lang) as unknown as LooseT, text);

/** The one issue `schema` raises for `value`, as the settings page gets it. */
function only(schema: z.ZodType, value: unknown): CoreText {
  const issues = schemaIssues(schema, value);
  expect(issues).toHaveLength(1);
  return issues[0]!.messageCode;
}

const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

/** One real issue of each kind the page words, with the code and parameters it must get. */
const KINDS: ReadonlyArray<{ kind: string; text: () => CoreText; want: CoreText }> = [
  {
    kind: 'missing field',
    text: () => only(obj({ port: z.number() }), {}),
    want: coreText('config.issue.required'),
  },
  ...(['string', 'number', 'boolean', 'object', 'array'] as const).map((type) => ({
    kind: `wrong type (${type})`,
    text: () =>
      only(
        obj({
          x: {
            string: z.string(),
            number: z.number(),
            boolean: z.boolean(),
            object: z.object({}),
            array: z.array(z.string()),
          }[type],
        }),
        { x: type === 'number' ? 'seven' : 7 },
      ),
    want: coreText('config.issue.type', { expected: [coreText(`config.type.${type}`)] }),
  })),
  {
    kind: 'not a whole number',
    text: () => only(obj({ n: z.number().int() }), { n: 1.5 }),
    want: coreText('config.issue.type', { expected: [coreText('config.type.int')] }),
  },
  {
    kind: 'wrong type zod has no word for',
    text: () => only(obj({ n: z.bigint() }), { n: 1 }),
    want: coreText('config.issue.wrongType'),
  },
  {
    kind: 'number too small',
    text: () => only(obj({ n: z.number().min(30) }), { n: 7 }),
    want: coreText('config.issue.atLeast', { minimum: '30' }),
  },
  {
    kind: 'number not above',
    text: () => only(obj({ n: z.number().positive() }), { n: 0 }),
    want: coreText('config.issue.above', { minimum: '0' }),
  },
  {
    kind: 'number too big',
    text: () => only(obj({ n: z.number().max(65535) }), { n: 70000 }),
    want: coreText('config.issue.atMost', { maximum: '65535' }),
  },
  {
    kind: 'number not below',
    text: () => only(obj({ n: z.number().lt(10) }), { n: 10 }),
    want: coreText('config.issue.below', { maximum: '10' }),
  },
  {
    kind: 'empty text',
    text: () => only(obj({ s: z.string().min(1) }), { s: '' }),
    want: coreText('config.issue.notEmpty'),
  },
  {
    kind: 'text too short',
    text: () => only(obj({ s: z.string().min(6) }), { s: 'abc' }),
    want: coreText('config.issue.minChars', { count: 6 }),
  },
  {
    kind: 'text too long',
    text: () => only(obj({ s: z.string().max(4) }), { s: 'abcdef' }),
    want: coreText('config.issue.maxChars', { count: 4 }),
  },
  {
    kind: 'list too short',
    text: () => only(obj({ l: z.array(z.string()).min(1) }), { l: [] }),
    want: coreText('config.issue.minItems', { count: 1 }),
  },
  {
    kind: 'list too long',
    text: () => only(obj({ l: z.array(z.string()).max(3) }), { l: ['a', 'b', 'c', 'd'] }),
    want: coreText('config.issue.maxItems', { count: 3 }),
  },
  {
    kind: 'not the one value',
    text: () => only(obj({ v: z.literal('tcp') }), { v: 'udp' }),
    want: coreText('config.issue.value', { value: '"tcp"' }),
  },
  {
    kind: 'not one of the values',
    text: () => only(obj({ v: z.enum(['none', 'even', 'odd']) }), { v: 'x' }),
    want: coreText('config.issue.oneOf', { values: '"none", "even", "odd"' }),
  },
  {
    kind: 'a union of literals',
    text: () => only(obj({ w: z.union([z.literal(32), z.literal(40), z.literal(48)]) }), { w: 33 }),
    want: coreText('config.issue.oneOf', { values: '32, 40, 48' }),
  },
  {
    kind: 'an unknown discriminator',
    text: () =>
      only(z.discriminatedUnion('type', [obj({ type: z.literal('tcp') }), obj({ type: z.literal('serial') })]), {
        type: 'usb',
      }),
    want: coreText('config.issue.oneOf', { values: '"tcp", "serial"' }),
  },
  {
    kind: 'a union of forms',
    text: () => only(obj({ s: z.union([z.string(), obj({ env: z.string() })]) }), { s: 5 }),
    want: coreText('config.issue.union'),
  },
  {
    kind: 'not the pattern',
    text: () => only(obj({ p: z.string().regex(/^[0-9]{6}$/) }), { p: '12a' }),
    want: coreText('config.issue.pattern', { pattern: '/^[0-9]{6}$/' }),
  },
  {
    kind: 'not a URL',
    text: () => only(obj({ u: z.url() }), { u: 'no url' }),
    want: coreText('config.issue.url'),
  },
  {
    kind: 'another format',
    text: () => only(obj({ e: z.email() }), { e: 'nobody' }),
    want: coreText('config.issue.format', { format: 'email' }),
  },
  {
    kind: 'one unknown field',
    text: () => only(obj({ a: z.number() }), { a: 1, colour: 'red' }),
    want: coreText('config.issue.unknownField', { count: 1, keys: '"colour"' }),
  },
  {
    kind: 'unknown fields',
    text: () => only(obj({ a: z.number() }), { a: 1, colour: 'red', size: 2 }),
    want: coreText('config.issue.unknownField', { count: 2, keys: '"colour", "size"' }),
  },
  {
    kind: 'a key that is not valid',
    text: () => only(obj({ r: z.record(z.string().regex(/^[A-Z]{3}$/), z.number()) }), { r: { eur: 1 } }),
    want: coreText('config.issue.invalidKey'),
  },
  {
    // zod raises it for a Map's or Set's entries in some versions only: the issue as zod types it.
    kind: 'an entry that is not valid',
    text: () =>
      zodIssueText({
        code: 'invalid_element',
        origin: 'map',
        key: 'a',
        issues: [],
        path: ['m'],
        message: 'Invalid entry',
      } as z.core.$ZodIssue),
    want: coreText('config.issue.invalidEntry'),
  },
  {
    kind: 'not a multiple',
    text: () => only(obj({ n: z.number().multipleOf(5) }), { n: 7 }),
    want: coreText('config.issue.multipleOf', { divisor: '5' }),
  },
  {
    kind: 'a problem the schema states with its code',
    text: () =>
      only(
        z
          .string()
          .superRefine((v, ctx) => ctx.addIssue({ code: 'custom', ...codedIssue(coreText('config.currency')) })),
        'EURO',
      ),
    want: coreText('config.currency'),
  },
  {
    kind: 'a problem the schema states without a code',
    text: () =>
      only(
        z.string().refine(() => false, 'some words'),
        'x',
      ),
    want: coreText('config.issue.invalid'),
  },
];

describe('configuration problems as coded texts', () => {
  for (const { kind, text, want } of KINDS)
    it(`${kind} → ${want.code}`, () => {
      expect(text()).toEqual(want);
    });

  it('every code of the generic issue words and type words is produced by one of the kinds above', () => {
    const produced = new Set<string>(
      KINDS.flatMap(({ want }) => [
        want.code,
        ...Object.values(want.params ?? {}).flatMap((p) => (Array.isArray(p) ? p.map((x: CoreText) => x.code) : [])),
      ]),
    );
    const generic = [...flatten(catalogue('en')).keys()]
      .filter((k) => k.startsWith('core.config.issue.') || k.startsWith('core.config.type.'))
      .map((k) => k.slice('core.'.length).replace(/_(one|other)$/, ''))
      // zod's "record" is worded like an object; it is checked with the page's words below.
      .filter((c) => c !== 'config.type.record');
    expect([...new Set(generic)].filter((c) => !produced.has(c))).toEqual([]);
  });

  for (const lang of PAGE_LANGUAGES)
    it(`each kind resolves in ${lang} with its placeholders filled`, () => {
      const problems: string[] = [];
      for (const { kind, want } of [
        ...KINDS,
        { kind: 'record', want: coreText('config.issue.type', { expected: [coreText('config.type.record')] }) },
      ]) {
        const words = write(lang, want);
        if (/\{\{|\}\}|core\.config|config\.(issue|type)\./.test(words)) problems.push(`${kind}: "${words}"`);
        // Every parameter is written, except a count that only picks the plural form.
        for (const [k, v] of Object.entries(want.params ?? {}))
          if (
            typeof v !== 'object' &&
            !(k === 'count' && !write('en', want).includes(String(v))) &&
            !words.includes(String(v))
          )
            problems.push(`${kind}: "${words}" lacks ${v}`);
        if (lang !== 'en' && words === write('en', want)) problems.push(`${kind}: "${words}" is the English text`);
      }
      expect(problems).toEqual([]);
    });

  it('plural words follow the count (one entry, several entries)', () => {
    expect(write('en', coreText('config.issue.minItems', { count: 1 }))).toBe('needs at least 1 entry');
    expect(write('en', coreText('config.issue.minItems', { count: 2 }))).toBe('needs at least 2 entries');
    expect(write('de', coreText('config.issue.minItems', { count: 1 }))).toBe('braucht mindestens 1 Eintrag');
    expect(write('de', coreText('config.issue.minItems', { count: 2 }))).toBe('braucht mindestens 2 Einträge');
    expect(write('bg', coreText('config.issue.unknownField', { count: 2, keys: '"a", "b"' }))).toBe(
      'има непознати полета: "a", "b"',
    );
  });

  it("the config file's own problems: English for the command line, the code for the page", () => {
    const terminals = [{ id: 'sim', driver: 'simulator' }];
    const tcp = (port: unknown, host = '127.0.0.1') => ({ type: 'tcp', host, port });
    // The schema's own checks first; what it states about the whole file (ids, addresses) once the shape is right.
    const issues = [
      ...configIssues({
        listeners: [{ protocol: 'native', transport: tcp(70000), locale: 'de_DE!' }],
        terminals,
        receipts: { width: 41 },
        colour: 'red',
      }),
      ...configIssues({
        listeners: [
          { id: 'pos', protocol: 'native', transport: tcp(7450) },
          { id: 'pos', protocol: 'zvt', transport: tcp(7451, '0.0.0.0') },
          { protocol: 'native', transport: tcp(7452), terminal: 'lane9' },
        ],
        terminals,
      }),
    ];
    const byField = new Map(issues.map((i) => [i.field, i]));
    expect([...byField.keys()].sort()).toEqual(
      [
        '',
        'listeners[0].transport.port',
        'listeners[1].id',
        'listeners[1].peers',
        'listeners[0].locale',
        'listeners[2].terminal',
        'receipts.width',
      ].sort(),
    );
    // The English message is unchanged where the schema words it (the command line prints it); the code is the page's.
    expect(byField.get('listeners[0].transport.port')).toMatchObject({
      message: 'must be 0–65535',
      messageCode: coreText('config.issue.atMost', { maximum: '65535' }),
    });
    expect(byField.get('listeners[1].id')).toEqual({
      field: 'listeners[1].id',
      message: 'duplicate listener id "pos"',
      messageCode: coreText('config.duplicateListener', { id: 'pos' }),
    });
    expect(byField.get('listeners[2].terminal')!.message).toBe('no terminal with id "lane9" (known: sim)');
    expect(byField.get('listeners[0].locale')!.message).toBe(
      '"de_DE!" is not a BCP 47 language tag (such as "de-DE" or "bg-BG")',
    );
    expect(byField.get('receipts.width')!.messageCode).toEqual(
      coreText('config.issue.oneOf', { values: '32, 40, 48' }),
    );
    expect(byField.get('')!.messageCode).toEqual(coreText('config.issue.unknownField', { count: 1, keys: '"colour"' }));
    // A coded problem's English words are the catalogue's; in German none of them is left.
    for (const i of issues.filter(
      (x) => x.messageCode.code.startsWith('config.') && !x.messageCode.code.startsWith('config.issue.'),
    ))
      expect(i.message).toBe(english(i.messageCode));
    expect(write('de', byField.get('listeners[1].peers')!.messageCode)).toBe(
      'ein ZVT-Kassenanschluss auf 0.0.0.0 (außerhalb von Loopback) braucht ein "password" oder eine "peers"-Liste mit den Adressen der Kassen',
    );
    expect(write('de', byField.get('listeners[0].transport.port')!.messageCode)).toBe('darf höchstens 65535 sein');
  });

  it("a listener's money-out policy naming no currency: coded like every currency field", () => {
    const [issue] = configIssues({
      listeners: [
        {
          protocol: 'native',
          transport: { type: 'tcp', host: '127.0.0.1', port: 7450 },
          policy: { limits: { EURO: { perTransaction: 5000 } } },
        },
      ],
      terminals: [{ id: 'sim', driver: 'simulator' }],
    });
    expect(issue).toMatchObject({ field: 'listeners[0].policy.limits.EURO', messageCode: coreText('config.currency') });
    expect(write('de', issue!.messageCode)).not.toMatch(/ungültig/);
  });

  it('a plain secret in the file: a coded warning whose English is the warning the command line prints', () => {
    const [warning] = secretWarningTexts({ terminals: [{ id: 'cloud', driver: 'epos', partnerSecret: 'x' }] });
    expect(warning).toEqual(coreText('config.plainSecret', { field: 'terminals[0].partnerSecret' }));
    expect(english(warning!)).toBe(
      'terminals[0].partnerSecret is written in plain text in the config file; prefer {"env":"VARIABLE"} or {"keychain":"name"} so that the secret is not stored in the file',
    );
    expect(write('de', warning!)).toContain('terminals[0].partnerSecret steht im Klartext');
  });
});

describe("the device list's note as coded texts", () => {
  const none = { list: async () => [], open: () => Promise.reject(new Error('not here')) };
  const noUsb = { devices: async () => [], watch: () => () => undefined };

  it('nothing found, and a source that could not be read: each sentence coded, the English note unchanged', async () => {
    const r = await listDevices({
      serial: none,
      hid: {
        devices: () =>
          Promise.reject(
            new DeviceError(
              'unavailable',
              "HID devices cannot be used on this computer: node-hid did not load (Cannot find module 'node-hid')",
              undefined,
              coreText('devices.hidLibrary', { error: "Cannot find module 'node-hid'" }),
            ),
          ),
        open: () => Promise.reject(new Error('not here')),
      },
      usb: noUsb,
    });
    expect(r.noteCode).toEqual([
      coreText('devices.noneFound.serialUsb'),
      coreText('devices.hidLibrary', { error: "Cannot find module 'node-hid'" }),
    ]);
    expect(english(r.noteCode!)).toBe(r.note);
    expect(write('de', r.noteCode!)).toBe(
      "Keine seriellen Schnittstellen oder USB-Geräte gefunden. HID-Geräte sind auf diesem Computer nicht nutzbar: node-hid wurde nicht geladen (Cannot find module 'node-hid').",
    );
  });

  it('a source that failed with an error of its own: coded with its words as the parameter', async () => {
    const r = await listDevices({
      serial: none,
      hid: { devices: async () => [], open: () => Promise.reject(new Error('not here')) },
      usb: { devices: () => Promise.reject(new Error('LIBUSB_ERROR_OTHER')), watch: () => () => undefined },
    });
    expect(r.noteCode).toEqual([
      coreText('devices.noneFound.serialHid'),
      coreText('devices.unreadable.usb', { error: 'LIBUSB_ERROR_OTHER' }),
    ]);
    expect(english(r.noteCode!)).toBe(r.note);
  });

  it('every combination of sources read has its sentence, in every language of the page', async () => {
    const broken = new Error('x');
    for (const [serialOk, hidOk, usbOk] of [
      [true, false, false],
      [false, true, false],
      [false, false, true],
      [true, true, false],
      [true, false, true],
      [false, true, true],
      [true, true, true],
    ] as const) {
      const r = await listDevices({
        serial: serialOk ? none : { list: () => Promise.reject(broken), open: none.open },
        hid: hidOk
          ? { devices: async () => [], open: none.open }
          : { devices: () => Promise.reject(broken), open: none.open },
        usb: usbOk ? noUsb : { devices: () => Promise.reject(broken), watch: () => () => undefined },
      });
      expect(english(r.noteCode!)).toBe(r.note);
      for (const lang of PAGE_LANGUAGES) expect(write(lang, r.noteCode!)).not.toMatch(/\{\{|devices\./);
    }
  });
});
