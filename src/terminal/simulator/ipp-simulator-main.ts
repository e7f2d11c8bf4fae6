/**
 * The simulated myPOS terminal as its own process (used by the crash harness, which kills the bridge while the
 * terminal lives on, and handy for trying a register by hand):
 *
 *   node --import tsx src/terminal/simulator/ipp-simulator-main.ts --port 7900 --control-port 7901 \
 *        [--host 127.0.0.1] [--currency EUR] [--fast] [--stage-delay-ms N] [--state-file F] [--versions 100-106,200-202]
 *        [--serial PATH [--baud 115200]]
 *
 * Prints `ipp-simulator listening on HOST:PORT control HOST:CPORT` once both listeners are up. With `--serial` the
 * terminal also (without `--port`: only) serves IPP on that serial port, as a myPOS terminal on a USB cable or a
 * Bluetooth SPP port does, and the line names it: `listening on serial PATH 115200 8N1 control …` (with both:
 * `listening on HOST:PORT and serial PATH …`). The control channel (ipp-control.ts) always binds to loopback.
 * SIGINT / SIGTERM close it cleanly.
 */
import { parseArgs } from 'node:util';
import { IppSimulator, type IppSimulatorOptions } from './ipp-simulator';
import { startIppControlServer } from './ipp-control';
import { serveIppOnSerial, type SimulatorSerialPort } from './ipp-serial-port';

const USAGE =
  'usage: ipp-simulator-main --port N --control-port M [--host 127.0.0.1] [--currency EUR] [--fast] ' +
  '[--stage-delay-ms N] [--slow-stage-ms N] [--state-file FILE] [--versions 100-106,200-202] [--password P] ' +
  '[--serial PATH [--baud 115200]]';

function fail(message: string): never {
  process.stderr.write(`ipp-simulator: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function port(text: string | undefined, what: string): number {
  if (text === undefined) return 0;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) fail(`${what} must be a TCP port number (0 = any free port)`);
  return Number(text);
}

function millis(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,7}$/.test(text)) fail(`${what} must be a number of milliseconds`);
  return Number(text);
}

function versions(text: string | undefined): Array<[number, number]> | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((part) => {
    const m = /^([0-9]{1,4})(?:-([0-9]{1,4}))?$/.exec(part.trim());
    if (!m) fail(`--versions takes ranges such as 100-106,200-202, got "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) fail(`--versions range ${part} is reversed`);
    return [lo, hi];
  });
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        'control-port': { type: 'string' },
        currency: { type: 'string', default: 'EUR' },
        fast: { type: 'boolean', default: false },
        'stage-delay-ms': { type: 'string' },
        'slow-stage-ms': { type: 'string' },
        'state-file': { type: 'string' },
        versions: { type: 'string' },
        password: { type: 'string' },
        serial: { type: 'string' },
        baud: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options: IppSimulatorOptions = { currency: values.currency, fast: values.fast };
  const stageDelayMs = millis(values['stage-delay-ms'], '--stage-delay-ms');
  if (stageDelayMs !== undefined) options.stageDelayMs = stageDelayMs;
  const slowStageMs = millis(values['slow-stage-ms'], '--slow-stage-ms');
  if (slowStageMs !== undefined) options.slowStageMs = slowStageMs;
  const accepted = versions(values.versions);
  if (accepted) options.acceptedVersions = accepted;
  if (values['state-file']) options.stateFile = values['state-file'];
  if (values.password !== undefined) options.password = values.password;

  let sim: IppSimulator;
  try {
    sim = new IppSimulator(options);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.baud !== undefined && values.serial === undefined) fail('--baud needs --serial');
  const baudRate = values.baud === undefined ? undefined : Number(values.baud);
  if (baudRate !== undefined && (!/^[0-9]{3,7}$/.test(values.baud!) || baudRate < 300))
    fail('--baud must be a baud rate such as 9600 or 115200');
  const host = values.host;
  const addresses: string[] = [];
  if (values.port !== undefined || values.serial === undefined) {
    const ippPort = await sim.listen({ host, port: port(values.port, '--port') });
    addresses.push(`${host}:${ippPort}`);
  }
  let serial: SimulatorSerialPort | undefined;
  if (values.serial !== undefined) {
    if (values.serial === '' || values.serial === 'auto')
      fail('--serial takes the path of a serial port, such as /dev/ttyUSB0 or COM5');
    const path = values.serial;
    serial = await serveIppOnSerial(sim, {
      path,
      ...(baudRate !== undefined ? { baudRate } : {}),
      onLost: (reason) =>
        process.stdout.write(
          `ipp-simulator serial port ${path} closed${reason ? ` (${reason.message})` : ''}; opening it again\n`,
        ),
      onOpen: () => process.stdout.write(`ipp-simulator serial port ${path} open\n`),
    });
    const state = serial.state();
    if (!state.open)
      process.stderr.write(
        `ipp-simulator: ${state.error ?? 'the serial port could not be opened'}; trying again every second\n`,
      );
    addresses.push(serial.address);
  }
  const control = await startIppControlServer(sim, {
    host: '127.0.0.1',
    port: port(values['control-port'], '--control-port'),
  });
  process.stdout.write(`ipp-simulator listening on ${addresses.join(' and ')} control 127.0.0.1:${control.port}\n`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void Promise.all([serial?.close(), sim.close(), control.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`ipp-simulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
