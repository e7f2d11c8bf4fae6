/**
 * Journal schema and its migrations. Each migration runs once, in order, inside a transaction; the applied
 * version is kept in `meta.schema_version`. Never edit a released migration: add the next one.
 *
 * Nothing here can hold a full PAN, track data or a secret: result columns receive only the bridge's
 * ResultFields (masked PAN) and the terminal's properties after card data was dropped by the driver.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE payments (
  id              TEXT PRIMARY KEY,
  register        TEXT NOT NULL,
  ref             TEXT NOT NULL,
  op_class        TEXT NOT NULL,
  kind            TEXT NOT NULL,
  amount          INTEGER NOT NULL CHECK (amount >= 0 AND amount <= 999999999),
  currency        TEXT NOT NULL,
  tip             INTEGER NOT NULL DEFAULT 0,
  terminal        TEXT NOT NULL,
  original_id     TEXT REFERENCES payments(id),
  bridge_ref      TEXT NOT NULL,
  driver_ref      TEXT,
  receipt_no      INTEGER NOT NULL,
  stage           TEXT NOT NULL,
  outcome         TEXT,
  settlement      TEXT,
  settle_decision TEXT,
  result_json     TEXT,
  raw_json        TEXT,
  message         TEXT NOT NULL DEFAULT '',
  delivered_at    TEXT,
  acknowledged_at TEXT,
  reversed_by     TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (register, ref, op_class)
);
CREATE INDEX payments_terminal_open ON payments(terminal, outcome);
CREATE INDEX payments_created ON payments(created_at);
CREATE INDEX payments_receipt ON payments(receipt_no);
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  payment_id TEXT NOT NULL REFERENCES payments(id),
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  data       TEXT
);
CREATE INDEX events_payment ON events(payment_id, seq);
`,
  },
  {
    // Receipts, day closes and reconciliation reports (src/receipts, src/reports). A receipt is the masked,
    // printable data of one payment (never a full PAN); it goes with its payment when the payment is pruned.
    version: 2,
    sql: `
CREATE TABLE receipts (
  payment_id TEXT PRIMARY KEY REFERENCES payments(id) ON DELETE CASCADE,
  updated_at TEXT NOT NULL,
  data_json  TEXT NOT NULL
);
CREATE TABLE day_closes (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  scope        TEXT NOT NULL,
  business_day TEXT NOT NULL,
  closed_at    TEXT NOT NULL,
  report_json  TEXT NOT NULL
);
CREATE INDEX day_closes_scope ON day_closes(scope, seq);
CREATE TABLE reconciliations (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  business_day TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  report_json  TEXT NOT NULL
);
CREATE INDEX reconciliations_day ON reconciliations(business_day, seq);
CREATE INDEX payments_bridge_ref ON payments(bridge_ref);
CREATE INDEX payments_driver_ref ON payments(driver_ref);
`,
  },
  {
    // Demo and Live kept apart (myPOS's two environments share nothing): each payment names the environment of the
    // terminal it ran on (ePOS terminals; NULL for links without environments), and every switch of a terminal from
    // Demo to Live is recorded with the go-live check that allowed it.
    version: 3,
    sql: `
ALTER TABLE payments ADD COLUMN environment TEXT CHECK (environment IN ('demo', 'live'));
CREATE TABLE environment_switches (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  terminal   TEXT NOT NULL,
  from_env   TEXT NOT NULL,
  to_env     TEXT NOT NULL,
  at         TEXT NOT NULL,
  check_json TEXT NOT NULL
);
`,
  },
  {
    // Events numbered by their rowid instead of AUTOINCREMENT: AUTOINCREMENT keeps the highest number in
    // sqlite_sequence, one more page written to the log with every commit (two write calls of a sale's ~14). Numbers
    // only order a payment's own events; pruning removes old payments' events, never the newest, so an event's number
    // is still higher than every number before it.
    version: 4,
    sql: `
CREATE TABLE events_v4 (
  seq        INTEGER PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES payments(id),
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  data       TEXT
);
INSERT INTO events_v4 (seq, payment_id, at, type, data) SELECT seq, payment_id, at, type, data FROM events;
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE INDEX events_payment ON events(payment_id, seq);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
