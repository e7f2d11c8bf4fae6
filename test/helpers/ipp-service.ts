import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { startService, type Service, type ServiceOptions } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';

/**
 * The product as a shop runs it, started from its config: the simulated terminal as an IPP server on loopback, a
 * native listener "pos", terminal "lane1" (EUR), and — with `status` — the service's own status server on a free
 * port. Each thing started is handed to `stop` (the caller stops them after the test, newest first).
 */
export async function startIppService(
  dataDir: string,
  stop: (fn: () => Promise<unknown> | void) => void,
  o: { status?: boolean; bridge?: ServiceOptions['bridge'] } = {},
): Promise<{ service: Service; sim: IppSimulator; simPort: number }> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  stop(() => sim.close());
  const config = parseConfig({
    dataDir,
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
    ],
    status: o.status ? { enabled: true, host: '127.0.0.1', port: 0 } : { enabled: false },
  });
  const service = await startService(config, {
    log: silentLogger(),
    ...(o.status ? {} : { status: false }),
    ...(o.bridge ? { bridge: o.bridge } : {}),
  });
  stop(() => service.close());
  return { service, sim, simPort };
}
