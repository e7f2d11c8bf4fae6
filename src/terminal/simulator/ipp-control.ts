/**
 * A tiny HTTP control channel for a running IppSimulator, so a test or the crash harness in another process can
 * read the ledger and switch faults. Loopback only; it is a test fixture, not a product API.
 *
 *   GET  /ledger                   → { busy, open, entries: IppLedgerEntry[] }
 *   GET  /net-charges?reference=R  → { reference, charges, refunds, holds }
 *   GET  /faults                   → IppSimFaults
 *   POST /faults   {"busyNext":2}  → IppSimFaults after the change (any subset of the switches)
 *   POST /release  {"outcome":"user_cancel"} (body optional) → { released }
 * Errors are application/problem+json (RFC 9457) with status 400, 404 or 405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { IPP_SIM_BEHAVIOURS, type IppSimulator } from './ipp-simulator';

const faultsBody = z.strictObject({
  dropAfterApproval: z.boolean().optional(),
  silentAfterStage2: z.boolean().optional(),
  offline: z.boolean().optional(),
  hold: z.boolean().optional(),
  busyNext: z.number().int().min(0).optional(),
  garbageNext: z.number().int().min(0).optional(),
});

const releaseBody = z.strictObject({ outcome: z.enum(IPP_SIM_BEHAVIOURS).optional() });

const MAX_BODY = 64 * 1024;

export interface IppControlServer {
  readonly port: number;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

export async function startIppControlServer(
  sim: IppSimulator,
  options: { host?: string; port?: number } = {},
): Promise<IppControlServer> {
  const server: Server = createServer((req, res) => {
    handle(sim, req, res).catch((e: unknown) => {
      const p =
        e instanceof HttpProblem
          ? e
          : new HttpProblem(500, 'Internal error', e instanceof Error ? e.message : String(e));
      sendJson(
        res,
        p.status,
        { type: 'about:blank', title: p.title, status: p.status, detail: p.message },
        'application/problem+json',
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(sim: IppSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'GET /ledger':
      return sendJson(res, 200, { busy: sim.busy, open: sim.openTransaction()?.sid ?? null, entries: sim.ledger() });
    case 'GET /net-charges': {
      const reference = url.searchParams.get('reference');
      if (!reference) throw new HttpProblem(400, 'Bad request', 'the query parameter "reference" is required');
      return sendJson(res, 200, {
        reference,
        charges: sim.netCharges(reference),
        refunds: sim.netRefunds(reference),
        holds: sim.activeHolds(reference),
      });
    }
    case 'GET /faults':
      return sendJson(res, 200, sim.faults());
    case 'POST /faults': {
      const body = parse(faultsBody, await readJson(req, true));
      return sendJson(res, 200, sim.setFaults(body));
    }
    case 'POST /release': {
      const body = parse(releaseBody, await readJson(req, false));
      return sendJson(res, 200, { released: sim.release(body.outcome) });
    }
    default: {
      const known = ['/ledger', '/net-charges', '/faults', '/release'].includes(url.pathname);
      throw known
        ? new HttpProblem(405, 'Method not allowed', `${req.method} is not allowed on ${url.pathname}`)
        : new HttpProblem(404, 'Not found', `no such control endpoint: ${url.pathname}`);
    }
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpProblem(400, 'Bad request', detail);
  }
  return r.data;
}

async function readJson(req: IncomingMessage, required: boolean): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpProblem(400, 'Bad request', `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') {
    if (required) throw new HttpProblem(400, 'Bad request', 'a JSON body is required');
    return {};
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'Bad request', 'the body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
