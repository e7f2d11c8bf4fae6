/**
 * The status page for a running service: StatusCore over the service, served by the headless status server on
 * `config.status.host:port` with the configured token (a secret reference).
 */
import type { Config } from '../config/schema';
import { resolveSecret, type SecretContext } from '../config/secrets';
import type { Logger } from '../log/logger';
import type { Service } from '../service';
import { StatusCore, type StatusCoreOptions } from './core';
import type { LogRing } from './log-ring';
import { startStatusServer, type StatusServer } from './server';
import { BridgeMetrics } from '../ops/metrics/bridge-metrics';
import { readiness } from '../ops/health';

export { StatusCore } from './core';
export { startStatusServer } from './server';
export { LogRing } from './log-ring';
export type { StatusServer } from './server';

export interface ServeStatusOptions {
  readonly log: Logger;
  readonly secrets?: SecretContext;
  readonly configFile?: string;
  readonly logs?: LogRing;
  readonly staticDir?: string;
  readonly wizard?: StatusCoreOptions['wizard'];
  readonly logFile?: string;
}

export async function serveStatus(
  service: Service,
  config: Config,
  o: ServeStatusOptions,
): Promise<StatusServer & { readonly core: StatusCore }> {
  const token =
    config.status.token === undefined
      ? undefined
      : resolveSecret(config.status.token, o.secrets ?? { env: process.env }, 'status.token');
  const core = new StatusCore({
    config,
    log: o.log,
    // Security-relevant settings changes join the service's other security events.
    security: service.security,
    ...(o.configFile ? { configFile: o.configFile } : {}),
    ...(o.logs ? { logs: o.logs } : {}),
    ...(o.wizard ? { wizard: o.wizard } : {}),
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  core.attach(service);
  const metrics = new BridgeMetrics(service, { gatewayCalls: service.gatewayCalls });
  let server: Awaited<ReturnType<typeof startStatusServer>>;
  try {
    server = await startStatusServer({
      ops: { metrics: () => metrics.render(), readiness: () => readiness(service) },
      core,
      host: config.status.host,
      port: config.status.port,
      ...(token ? { token } : {}),
      ...(o.staticDir ? { staticDir: o.staticDir } : {}),
      log: o.log,
    });
  } catch (e) {
    // The caller carries on without the page (service.ts): nothing of it may stay attached to the bridge.
    metrics.close();
    core.detach();
    throw e;
  }
  return {
    core,
    url: server.url,
    port: server.port,
    async close() {
      metrics.close();
      core.detach();
      await server.close();
    },
  };
}
