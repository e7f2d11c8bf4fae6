/**
 * The status server alone in its own process, for tests that must see whether the process survives what peers do
 * to it (resets at every step of an upgrade). Prints `port <n>` when it listens. A request carrying `x-peer` is
 * judged as coming from that address (a peer beyond loopback); the token is `child-token`.
 */
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { StatusCore } from '../../src/status/core';
import { startStatusServer } from '../../src/status/server';

const config = parseConfig({
  listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
  terminals: [{ id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: 9 }, currency: 'EUR' }],
  status: { enabled: false },
});
const core = new StatusCore({ config, log: silentLogger() });
const server = await startStatusServer({
  core,
  host: '127.0.0.1',
  port: 0,
  token: 'child-token',
  log: silentLogger(),
  remoteAddressOf: (req) =>
    typeof req.headers['x-peer'] === 'string' ? req.headers['x-peer'] : req.socket.remoteAddress,
});
setInterval(() => core.emit('event', { type: 'state', reason: 'tick' }), 5);
process.stdout.write(`port ${server.port}\n`);
