/**
 * Runs the fake myPOS API Gateway on its own:
 *   node --import tsx src/terminal/simulator/epos-gateway-main.ts --port 8480 [--approve-delay-ms 2000]
 *     [--session-ttl 300] [--versioned-media-type] [--list-item-id request_id] [--list-order newest_first]
 * It prints one line when ready ("… ready at http://127.0.0.1:PORT …") and stops on SIGINT/SIGTERM.
 * The credentials are the demo set DEMO_EPOS (see epos-gateway.ts); it listens on loopback only.
 */
import { parseArgs } from 'node:util';
import { DEMO_EPOS, FakeEposGateway } from './epos-gateway';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'approve-delay-ms': { type: 'string' },
    'session-ttl': { type: 'string' },
    'versioned-media-type': { type: 'boolean', default: false },
    'list-item-id': { type: 'string' },
    'list-order': { type: 'string' },
  },
  strict: true,
});

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) {
    process.stderr.write(`--${name} must be a whole number, got "${v}"\n`);
    process.exit(2);
  }
  return Number(v);
}

const port = int('port', values.port) ?? 0;
const approveDelayMs = int('approve-delay-ms', values['approve-delay-ms']);
const sessionTtlSeconds = int('session-ttl', values['session-ttl']);
const listItemId = values['list-item-id'];
const listOrder = values['list-order'];
if (listItemId !== undefined && listItemId !== 'payment_id' && listItemId !== 'request_id') {
  process.stderr.write('--list-item-id must be payment_id or request_id\n');
  process.exit(2);
}
if (listOrder !== undefined && listOrder !== 'oldest_first' && listOrder !== 'newest_first') {
  process.stderr.write('--list-order must be oldest_first or newest_first\n');
  process.exit(2);
}

const gateway = new FakeEposGateway({
  ...(approveDelayMs !== undefined ? { approveDelayMs } : {}),
  ...(sessionTtlSeconds !== undefined ? { sessionTtlSeconds } : {}),
  requireVersionedMediaType: values['versioned-media-type'],
  ...(listItemId ? { listItemId } : {}),
  ...(listOrder ? { listOrder } : {}),
});
const url = await gateway.start(port, '127.0.0.1');
process.stdout.write(
  `myPOS API Gateway fake ready at ${url} (terminal ${DEMO_EPOS.terminalId} ${DEMO_EPOS.currency}, partner ${DEMO_EPOS.partnerClientId}, merchant ${DEMO_EPOS.merchantClientId})\n`,
);

const stop = (): void => {
  void gateway.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
