import { execFileSync } from 'node:child_process';

/**
 * Finds a system tool a test needs (socat, nc, chromium). When it is missing and we run as root, installs its
 * Debian package; otherwise fails with one line saying what to install. Never skips.
 */
export function ensureTool(command: string, debianPackage: string): string {
  const found = which(command);
  if (found) return found;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('apt-get', ['install', '-y', '-q', debianPackage], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-q', debianPackage], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    }
    const after = which(command);
    if (after) return after;
  }
  throw new Error(`this test needs "${command}": install it with  apt-get install -y ${debianPackage}`);
}

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
