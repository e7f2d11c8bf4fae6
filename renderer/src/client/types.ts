import type { FieldIssue, ProblemDetails, SettingsView, StatusApi, StatusEvent } from '../../../src/status/contract';
import { coreWordsNow } from '../i18n/core-text';
import { currentLanguage } from '../i18n';

export * from '../../../src/status/contract';

/** Connection to the core: the headless server (HTTP + WebSocket) or the desktop shell (IPC). */
export interface BridgeClient extends StatusApi {
  readonly kind: 'http' | 'ipc';
  /** Receives every event; `onLink` says whether the event stream is connected. Returns an unsubscribe function. */
  subscribe(onEvent: (event: StatusEvent) => void, onLink?: (connected: boolean) => void): () => void;
}

/** A refusal of the core, with its problem details (field issues included). */
export class ApiProblem extends Error {
  readonly problem: ProblemDetails;
  constructor(problem: ProblemDetails) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblem';
    this.problem = problem;
  }
}

/** A refusal's words in the page's language (its detail's codes), else as received. */
export function errorText(e: unknown): string {
  if (e instanceof ApiProblem) return e.problem.detailCode ? coreWordsNow(e.message, e.problem.detailCode) : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A refusal's field problems by field name ("credentials.partnerSecret" → its message); {} for anything else. */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiProblem)) return {};
  return Object.fromEntries((e.problem.issues ?? []).map((i) => [i.field, issueText(i)]));
}

/**
 * A field problem's words in the page's language when the core coded them, else as received. An English page keeps
 * the words received: the schema's own English may say a little more than the code of its kind ("must be 0–65535"
 * where the code says "must be at most 65535").
 */
export function issueText(i: FieldIssue): string {
  return currentLanguage() === 'en' ? i.message : coreWordsNow(i.message, i.messageCode);
}

/** Settings warnings in the page's language when the core coded them (`warningCodes`, in order), else as received. */
export function warningTexts(a: Pick<SettingsView, 'warnings' | 'warningCodes'>): string[] {
  return a.warnings.map((w, i) => coreWordsNow(w, a.warningCodes?.[i]));
}
