/**
 * `register-bridge doctor`: runs every check, prints what it found in plain words, and tells whether something
 * needs attention (exit code 1) or not (0). Warnings are worth reading but do not fail.
 */
import type { Config } from '../../config/schema';
import { checkConfig } from './check-config';
import { checkDevices } from './check-devices';
import { checkPorts } from './check-ports';
import { checkJournal, checkLogs } from './check-storage';
import { checkClock, checkTerminals } from './check-terminals';
import type { CheckResult, DoctorEnv, FindingStatus } from './types';

export interface DoctorInput {
  readonly configFile: string;
  /** The data folder to use when the config names none (`--data-dir` wins over the config). */
  readonly dataDir: (config: Config | undefined) => string;
  readonly logFile: (config: Config | undefined) => string;
}

export interface DoctorReport {
  readonly checks: CheckResult[];
  readonly failures: number;
  readonly warnings: number;
}

export async function runDoctor(input: DoctorInput, env: DoctorEnv): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const cfg = checkConfig(input.configFile, env);
  checks.push(cfg.result);
  if (cfg.config) {
    checks.push(await checkPorts(cfg.config, env));
    checks.push(await checkDevices(cfg.config, env));
    checks.push(await checkTerminals(cfg.config, env));
    checks.push(await checkClock(cfg.config, env));
  } else {
    checks.push({
      title: 'Ports, devices, terminals',
      findings: [{ status: 'skip', text: 'not checked until the config is valid' }],
    });
  }
  checks.push(checkJournal(env.inspectJournal(input.dataDir(cfg.config))));
  checks.push(checkLogs(env.inspectLogs(input.logFile(cfg.config))));
  const all = checks.flatMap((c) => c.findings);
  return {
    checks,
    failures: all.filter((f) => f.status === 'fail').length,
    warnings: all.filter((f) => f.status === 'warn').length,
  };
}

const MARK: Record<FindingStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: '--  ' };

export function formatDoctor(report: DoctorReport): string {
  const out: string[] = [];
  for (const c of report.checks) {
    out.push(c.title);
    for (const f of c.findings) {
      out.push(`  ${MARK[f.status]}  ${f.text}`);
      for (const h of f.hints ?? []) out.push(`        → ${h}`);
    }
    out.push('');
  }
  const w = report.warnings ? `, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}` : '';
  out.push(
    report.failures === 0
      ? `Nothing needs attention${w}.`
      : `${report.failures} problem${report.failures === 1 ? ' needs' : 's need'} attention${w}.`,
  );
  return out.join('\n') + '\n';
}

export function doctorExitCode(report: DoctorReport): number {
  return report.failures > 0 ? 1 : 0;
}
