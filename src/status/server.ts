/**
 * The headless status server: the built status page, the JSON API of StatusCore (routes in contract.ts
 * HTTP_ROUTES) and a WebSocket event stream, on node:http + ws. Every answer carries the security headers
 * (strict CSP); every error is RFC 7807 problem details. Loopback peers are trusted; anyone else needs the token.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log/logger';
import {
  EVENTS_PATH,
  HTTP_ROUTES,
  NUMERIC_QUERY_FIELDS,
  STATUS_METHODS,
  type ProblemDetails,
  type StatusEvent,
  type StatusMethod,
} from './contract';
import { callStatus } from './arguments';
import type { StatusCore } from './core';
import { PROBLEM_CONTENT_TYPE, StatusProblem, problem, toProblem } from './problem';
import { authorize, sameOriginRequest, securityHeaders, type AuthDecision } from './security';
import { defaultRendererDir, staticFile } from './static-files';
import type { Readiness } from '../ops/health';

export interface StatusServerOptions {
  readonly core: StatusCore;
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** Required from beyond loopback; without it only loopback peers are served. */
  readonly token?: string;
  /** The renderer build folder; default dist-renderer/ at the project root. */
  readonly staticDir?: string;
  readonly log: Logger;
  /**
   * The peer address a request is judged by (tests simulate a peer beyond loopback with it). Default: the socket's
   * remote address.
   */
  readonly remoteAddressOf?: (req: IncomingMessage) => string | undefined;
  /** GET /metrics, /healthz and /readyz (monitoring); without it those paths are not served. */
  readonly ops?: OpsEndpoints;
}

/** What monitoring reads: Prometheus metrics and readiness, outside the page's JSON API. */
export interface OpsEndpoints {
  metrics(): Promise<{ contentType: string; body: string }>;
  readiness(): Readiness;
}

/** Monitoring paths: served to loopback freely and beyond it with the token, like the API. */
const OPS_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

export interface StatusServer {
  /** http://host:port/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const staticDir = o.staticDir ?? defaultRendererDir();
  const remoteOf = o.remoteAddressOf ?? ((req: IncomingMessage) => req.socket.remoteAddress);
  const log = o.log.child({ component: 'status' });

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error({ err: e }, 'status request failed');
      if (!res.headersSent) sendProblem(req, res, toProblem(e, pathOf(req)));
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  // Every socket has an error handler from its first moment to its last: a peer's reset (ECONNRESET, EPIPE) on an
  // HTTP request, a refused upgrade or an accepted WebSocket ends that socket, never the process. (Node's own
  // handler goes away when a request turns into an upgrade; this one stays.)
  const quiet = (): void => undefined;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('error', quiet);
    s.on('close', () => sockets.delete(s));
  });
  // A malformed request or a reset before the request was read: the socket is dropped without an answer.
  server.on('clientError', (_err, socket) => {
    socket.on('error', quiet);
    socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    const path = url.pathname;
    if (o.ops && OPS_PATHS.has(path)) return serveOps(req, res, url, o.ops);
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendProblem(req, res, problem(405, 'Only GET is served here', { instance: path }), {
          Allow: 'GET, HEAD',
        });
      const file = staticFile(staticDir, path);
      if (!file) return sendProblem(req, res, problem(404, `No such file: ${path}`, { instance: path }));
      res.writeHead(file.status, {
        ...securityHeaders(req.headers.host),
        'Content-Type': file.type,
        ...(file.immutable ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return;
    }
    const gate = admit(req, url);
    if (!gate.ok)
      return sendProblem(
        req,
        res,
        problem(gate.status, gate.detail, { instance: path, code: 'unauthorized' }),
        gate.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
      );

    const match = route(req.method ?? 'GET', path);
    if (!match) {
      const known = STATUS_METHODS.some(
        (m) => HTTP_ROUTES[m].path === path || (HTTP_ROUTES[m].arg === 'id' && path.startsWith(HTTP_ROUTES[m].path)),
      );
      return sendProblem(
        req,
        res,
        known
          ? problem(405, `${req.method} is not allowed on ${path}`, { instance: path })
          : problem(404, `No API at ${path}`, { instance: path }),
      );
    }
    const spec = HTTP_ROUTES[match.method];
    let arg: unknown;
    if (spec.arg === 'query') arg = queryObject(url.searchParams);
    else if (spec.arg === 'id') arg = match.id;
    else if (spec.arg === 'body') arg = await readJson(req);
    const result = await callStatus(o.core, match.method, arg);
    if (spec.file) {
      const name = spec.file.name.replace('{day}', new Date().toISOString().slice(0, 10));
      res.writeHead(200, {
        ...securityHeaders(req.headers.host),
        'Content-Type': spec.file.contentType,
        'Content-Disposition': `attachment; filename="${name}"`,
      });
      res.end(String(result));
      return;
    }
    sendJson(req, res, 200, result ?? null);
  }

  async function serveOps(req: IncomingMessage, res: ServerResponse, url: URL, ops: OpsEndpoints): Promise<void> {
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendProblem(req, res, problem(405, `Only GET is served on ${path}`, { instance: path }), {
        Allow: 'GET, HEAD',
      });
    const gate = admit(req, url);
    if (!gate.ok)
      return sendProblem(
        req,
        res,
        problem(gate.status, gate.detail, { instance: path, code: 'unauthorized' }),
        gate.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
      );
    if (path === '/metrics') {
      const m = await ops.metrics();
      res.writeHead(200, {
        ...securityHeaders(req.headers.host),
        'Content-Type': m.contentType,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : m.body);
      return;
    }
    if (path === '/healthz') return sendJson(req, res, 200, { status: 'ok' });
    const r = ops.readiness();
    sendJson(req, res, r.ready ? 200 : 503, {
      status: r.ready ? 'ready' : 'not_ready',
      checks: r.checks,
      notReady: r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail ?? 'not ready'}`),
    });
  }

  /** Same-origin and token rules for the API and the event stream. */
  function admit(req: IncomingMessage, url: URL): AuthDecision {
    const origin = sameOriginRequest(req.headers.host, req.headers.origin, o.host);
    if (!origin.ok) return { ok: false, status: 403, detail: origin.detail };
    return authorize(
      {
        remoteAddress: remoteOf(req),
        authorization: req.headers.authorization,
        queryToken: url.searchParams.get('token'),
      },
      o.token,
    );
  }

  // ---------------------------------------------------------------- WebSocket event stream

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', quiet);
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    const refuse = (p: ProblemDetails): void => {
      const body = JSON.stringify(p);
      socket.end(
        `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      // A peer that never reads the refusal does not keep the socket.
      (socket as Socket).setTimeout(10_000, () => socket.destroy());
    };
    if (url.pathname !== EVENTS_PATH)
      return refuse(problem(404, `No event stream at ${url.pathname}`, { instance: url.pathname }));
    const gate = admit(req, url);
    if (!gate.ok) return refuse(problem(gate.status, gate.detail, { instance: url.pathname, code: 'unauthorized' }));
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('error', quiet);
  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', quiet);
    // The page only listens; anything it sends is ignored.
    ws.on('message', () => undefined);
  });
  const forward = (event: StatusEvent): void => {
    const text = JSON.stringify(event);
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
  };
  o.core.on('event', forward);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(
          new StatusProblem(500, `port ${o.port} on ${o.host} is already in use by another program (status page)`, {
            code: 'config_invalid',
          }),
        );
      else reject(err);
    });
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':')
    ? `[${o.host}]`
    : o.host === '0.0.0.0'
      ? '127.0.0.1'
      : o.host === '::'
        ? '[::1]'
        : o.host;
  const url = `http://${hostForUrl}:${port}/`;
  log.info({ url }, 'status page listening');

  return {
    url,
    port,
    async close() {
      o.core.off('event', forward);
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://status.invalid').pathname;
}

function route(verb: string, path: string): { method: StatusMethod; id?: string } | undefined {
  for (const method of STATUS_METHODS) {
    const r = HTTP_ROUTES[method];
    if (r.verb !== verb) continue;
    if (r.arg === 'id') {
      if (path.startsWith(r.path) && path.length > r.path.length && !path.slice(r.path.length).includes('/')) {
        return { method, id: decodeURIComponent(path.slice(r.path.length)) };
      }
    } else if (r.path === path) {
      return { method };
    }
  }
  return undefined;
}

function queryObject(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of params) {
    if (k === 'token') continue;
    if (NUMERIC_QUERY_FIELDS.includes(k)) {
      const n = Number(v);
      if (!/^[0-9]{1,9}$/.test(v))
        throw new StatusProblem(400, `${k} must be a whole number`, {
          code: 'bad_request',
          issues: [{ field: k, message: 'must be a whole number' }],
        });
      out[k] = n;
    } else {
      out[k] = v;
    }
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // JSON only: a form or text/plain request from another site cannot be sent without a CORS preflight then.
  if (type !== 'application/json')
    throw new StatusProblem(415, 'Send the request body as application/json', { code: 'bad_request' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new StatusProblem(413, `The request body is larger than ${MAX_BODY / 1024} KiB`, { code: 'bad_request' });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new StatusProblem(400, `The request body is not valid JSON: ${(e as Error).message}`, { code: 'bad_json' });
  }
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders(req.headers.host),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  p: ProblemDetails,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(p);
  res.writeHead(p.status, {
    ...securityHeaders(req.headers.host),
    ...extra,
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
