/**
 * ZVT over real loopback TCP: a register written here (net.Socket + the product's codec) against the ZVT session
 * behind the production TCP listener, with a fake bridge that the test scripts.
 */
import { Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { zvtTcpProtocol } from '../../src/register/zvt/session';
import { listenTcp, type TcpListener } from '../../src/transport/tcp';
import { APPROVED_MC, FakeBridgeApi, TestEcr, contextFor, hex } from '../unit/zvt-helpers';

const open: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function bridgeListener(api: FakeBridgeApi, options: Record<string, unknown> = {}): Promise<TcpListener> {
  const protocol = zvtTcpProtocol({ options });
  const listener = await listenTcp('127.0.0.1', 0, (socket, peer) => protocol.serve(socket, contextFor(api, peer)));
  open.push(listener);
  return listener;
}

async function register(port: number): Promise<{ ecr: TestEcr; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  open.push({ close: () => socket.destroy() });
  const ecr = new TestEcr({ write: (b) => socket.write(b), onData: (l) => socket.on('data', l) }, 'tcp');
  return { ecr, socket };
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('ZVT over loopback TCP', () => {
  it('registration on one connection, payment on the next (the register closes after each operation)', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api, { receipts: 'off' });

    const first = await register(port);
    await first.ecr.send('06 00 08 00 00 00 3A 09 78 03 00');
    await first.ecr.expect('80 00 00');
    await first.ecr.expect('06 0F 0A 19 00 29 12 34 56 78 49 09 78');
    await first.ecr.ack();
    first.socket.end();
    await closed(first.socket);

    const second = await register(port);
    await second.ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await second.ecr.expect('80 00 00');
    const run = await api.submits.next();
    run.stage('present_card');
    await second.ecr.expect('04 FF 01 0A');
    await second.ecr.ack();
    run.finish(APPROVED_MC);
    await second.ecr.expect(
      '04 0F 2C 27 00 04 00 00 00 00 12 34 0B 00 00 42 0C 14 30 15 0D 11 25 22 F0 F8 54 13 33 EE EE EE 12 34 29 12 34 56 78 87 00 17 8A 06 49 09 78',
    );
    await second.ecr.ack();
    expect(await api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'acknowledged', kind: 'sale' });
    await second.ecr.expect('06 0F 00');
    await second.ecr.ack();
    second.socket.end();
    await closed(second.socket);
  });

  it('reassembles an APDU written one byte at a time, and splits several APDUs written at once', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api);
    const { ecr, socket } = await register(port);
    for (const b of hex('05 01 03 00 00 00')) {
      socket.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    await ecr.expect('80 00 00');
    await ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
    // our ack and the next command in one segment
    socket.write(hex('80 00 00 05 01 03 00 00 00'));
    await ecr.expect('80 00 00');
    await ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
    await ecr.ack();
  });

  it('decline, unsupported command and a malformed APDU on one connection that lives on', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api);
    const { ecr } = await register(port);
    await ecr.send('06 93 03 00 00 00');
    await ecr.expect('84 83 00');
    await ecr.send('06 01 03 04 00 00');
    await ecr.expect('84 9A 00');
    await ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await ecr.expect('80 00 00');
    (await api.submits.next()).finish({
      outcome: 'declined',
      hostCode: '05',
      stan: '43',
      txTime: '143502',
      txDate: '1125',
      terminalId: '12345678',
    });
    await ecr.expect('04 0F 1C 27 05 04 00 00 00 00 12 34 0B 00 00 43 0C 14 35 02 0D 11 25 29 12 34 56 78 49 09 78');
    await ecr.ack();
    await ecr.expect('06 1E 01 05');
    await ecr.ack();
  });

  it('the register aborts a running payment: 80 00 00, the bridge is asked to cancel, 06 1E 01 6C', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api);
    const { ecr } = await register(port);
    await ecr.send('06 01 07 04 00 00 00 00 10 00');
    await ecr.expect('80 00 00');
    const run = await api.submits.next();
    await ecr.send('06 B0 00');
    await ecr.expect('80 00 00');
    expect(await api.cancels.next()).toBe(run.request.ref);
    await ecr.expect('06 1E 01 6C');
    await ecr.ack();
  });

  it('the register hangs up instead of answering 04 0F: the approval is rejected (the bridge reverses it)', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api);
    const { ecr, socket } = await register(port);
    await ecr.send('06 01 07 04 00 00 00 00 10 00');
    await ecr.expect('80 00 00');
    const run = await api.submits.next();
    run.finish(APPROVED_MC);
    const info = await ecr.next();
    expect([info.cls, info.instr]).toEqual([0x04, 0x0f]);
    socket.destroy();
    expect(await api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
  });

  it('a half-close by the register ends a running payment (cancel) even on a half-open listener', async () => {
    const api = new FakeBridgeApi();
    const { port } = await bridgeListener(api);
    const { ecr, socket } = await register(port);
    await ecr.send('06 01 07 04 00 00 00 00 10 00');
    await ecr.expect('80 00 00');
    const run = await api.submits.next();
    socket.end();
    expect(await api.cancels.next()).toBe(run.request.ref);
    await closed(socket);
    expect((await api.deliveries.next()).how).toBe('undeliverable');
  });
});
