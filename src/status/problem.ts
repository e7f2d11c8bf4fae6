/**
 * Errors of the status API as RFC 7807 problem details (`application/problem+json`). Bridge errors keep their
 * stable code; anything unexpected becomes a 500 without internals. The detail is in English; `detailCode` carries
 * it as codes of the catalogue, which the status page writes in its own language (a bridge error as its code's text).
 */
import { isBridgeError, type ErrorCode } from '../domain/errors';
import { coreText, english, type CoreMessage } from '../i18n/say';
import { STATUS_CODES } from 'node:http';
import type { FieldIssue, ProblemDetails } from './contract';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The title of a status: HTTP's own reason phrase, 422 by its current name (RFC 9110 §15.5.21). */
function titleOf(status: number): string {
  return status === 422 ? 'Unprocessable Content' : (STATUS_CODES[status] ?? 'Error');
}

/** A refusal of the status API: thrown by the core, rendered by the HTTP server and the IPC bridge alike. */
export class StatusProblem extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly issues: FieldIssue[] | undefined;
  readonly detailCode: CoreMessage | undefined;

  /** `detail`: coded (preferred), or English words only (the page then shows them as they are). */
  constructor(
    status: number,
    detail: string | CoreMessage,
    extra: { code?: string; issues?: FieldIssue[]; detailCode?: CoreMessage } = {},
  ) {
    super(typeof detail === 'string' ? detail : english(detail));
    this.name = 'StatusProblem';
    this.status = status;
    this.code = extra.code;
    this.issues = extra.issues;
    this.detailCode = typeof detail === 'string' ? extra.detailCode : detail;
  }
}

/** HTTP status for a bridge error code. */
export function statusForBridgeCode(code: ErrorCode): number {
  switch (code) {
    case 'unknown_ref':
    case 'unknown_terminal':
      return 404;
    case 'terminal_busy':
    case 'ref_conflict':
      return 409;
    case 'terminal_offline':
    case 'terminal_error':
      return 502;
    case 'unauthorized':
      return 401;
    case 'internal':
      return 500;
    default:
      return 400;
  }
}

export function problem(
  status: number,
  detail?: string,
  extra: { code?: string; issues?: FieldIssue[]; instance?: string; detailCode?: CoreMessage } = {},
): ProblemDetails {
  return {
    type: 'about:blank',
    title: titleOf(status),
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...(extra.detailCode !== undefined ? { detailCode: extra.detailCode } : {}),
    ...(extra.instance !== undefined ? { instance: extra.instance } : {}),
    ...(extra.code !== undefined ? { code: extra.code } : {}),
    ...(extra.issues !== undefined ? { issues: extra.issues } : {}),
  };
}

/** Any thrown value as problem details; `internal` errors say only that something went wrong. */
export function toProblem(e: unknown, instance?: string): ProblemDetails {
  const where = instance !== undefined ? { instance } : {};
  if (e instanceof StatusProblem) {
    return problem(e.status, e.message, {
      ...where,
      ...(e.code ? { code: e.code } : {}),
      ...(e.issues ? { issues: e.issues } : {}),
      ...(e.detailCode ? { detailCode: e.detailCode } : {}),
    });
  }
  const internal = coreText('problem.internal');
  if (isBridgeError(e)) {
    const status = statusForBridgeCode(e.code);
    return problem(status, status === 500 ? english(internal) : e.message, {
      ...where,
      code: e.code,
      detailCode: status === 500 ? internal : coreText(`bridgeError.${e.code}`),
    });
  }
  return problem(500, english(internal), { ...where, code: 'internal', detailCode: internal });
}

/** True when a value looks like problem details (the renderer and IPC use it to recognise errors). */
export function isProblemDetails(v: unknown): v is ProblemDetails {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ProblemDetails).status === 'number' &&
    typeof (v as ProblemDetails).title === 'string'
  );
}
