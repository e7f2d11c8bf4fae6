/**
 * What the packaging tests share: electron-builder's own config loading, validation and file matching (loaded
 * from app-builder-lib, so the tests judge the config exactly as `npm run dist` would), and the list of native
 * packages derived from node_modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// app-builder-lib has no types for these internal modules; the shapes used here are small.
interface BuilderConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<BuilderConfig>;
  validateConfiguration(
    config: unknown,
    debugLogger: { isEnabled: boolean; add(k: string, v: unknown): void },
  ): Promise<void>;
}
interface FileMatcherModule {
  FileMatcher: new (
    from: string,
    to: string,
    expand: (s: string) => string,
    patterns: string[],
  ) => {
    createFilter(): (file: string, stat: ReturnType<typeof statSync>) => boolean;
  };
}

export type BuilderConfig = Record<string, unknown> & {
  asarUnpack?: string[];
  files?: unknown[];
  extraMetadata?: Record<string, unknown>;
};

const configModule = (): BuilderConfigModule =>
  require('app-builder-lib/out/util/config/config.js') as BuilderConfigModule;

/** electron-builder.yml as electron-builder reads it (its own loader, `extends` and defaults applied). */
export async function loadBuilderConfig(projectDir = ROOT): Promise<BuilderConfig> {
  return configModule().getConfig(projectDir, null, null);
}

/**
 * electron-builder's validator (ajv against app-builder-lib/scheme.json plus its own deprecation checks). It runs on
 * a copy: ajv's type coercion rewrites values in place.
 */
export async function validateBuilderConfig(config: unknown): Promise<void> {
  await configModule().validateConfiguration(structuredClone(config), { isEnabled: false, add: () => undefined });
}

/** The `files` patterns (electron-builder normalises the list into `[{ filter: [...] }]`). */
export function filePatterns(config: BuilderConfig): string[] {
  return (config.files ?? []).flatMap((f: unknown) =>
    typeof f === 'string' ? [f] : ((f as { filter?: string[] }).filter ?? []),
  );
}

/** True when electron-builder would unpack `file` (absolute, under ROOT) from the asar archive. */
export function unpackFilter(config: BuilderConfig, projectDir = ROOT): (file: string) => boolean {
  const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as FileMatcherModule;
  const filter = new FileMatcher(projectDir, projectDir, (s) => s, config.asarUnpack ?? []).createFilter();
  return (file) => filter(file, statSync(file));
}

export interface NativePackage {
  readonly name: string;
  /** Folder relative to the project, with forward slashes (e.g. node_modules/@libsql/linux-x64-gnu). */
  readonly dir: string;
  /** Why it counts as native: binding.gyp, prebuilds/, or the .node files found. */
  readonly evidence: string[];
  /** .node files, relative to the project. */
  readonly binaries: string[];
}

/**
 * Every installed package reachable from package.json's dependencies (and their dependencies and installed
 * optional dependencies) that carries native code: a binding.gyp, a prebuilds/ folder or a .node file.
 */
export function nativePackages(projectDir = ROOT): NativePackage[] {
  const pkg = readJson(join(projectDir, 'package.json'));
  const seen = new Set<string>();
  const found: NativePackage[] = [];
  const queue: Array<{ name: string; from: string }> = Object.keys({
    ...(pkg.dependencies ?? {}),
    ...(pkg.optionalDependencies ?? {}),
  }).map((name) => ({ name, from: projectDir }));
  while (queue.length > 0) {
    const { name, from } = queue.shift()!;
    const dir = resolvePackageDir(name, from, projectDir);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const p = readJson(join(dir, 'package.json'));
    const evidence: string[] = [];
    if (existsSync(join(dir, 'binding.gyp'))) evidence.push('binding.gyp');
    if (existsSync(join(dir, 'prebuilds'))) evidence.push('prebuilds/');
    const binaries = findNodeFiles(dir).map((f) => toPosix(relative(projectDir, f)));
    if (binaries.length > 0) evidence.push(`${binaries.length} .node file(s)`);
    if (evidence.length > 0) found.push({ name, dir: toPosix(relative(projectDir, dir)), evidence, binaries });
    for (const dep of Object.keys({ ...(p.dependencies ?? {}), ...(p.optionalDependencies ?? {}) }))
      queue.push({ name: dep, from: dir });
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Node's lookup: node_modules/<name> in `from` and each parent folder up to the project. */
function resolvePackageDir(name: string, from: string, projectDir: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectDir || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

function findNodeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...findNodeFiles(full));
    } else if (entry.name.endsWith('.node')) {
      out.push(full);
    }
  }
  return out;
}

function readJson(file: string): {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  main?: string;
  scripts?: Record<string, string>;
} {
  return JSON.parse(readFileSync(file, 'utf8')) as never;
}

export function toPosix(p: string): string {
  return p.split(sep).join('/');
}
