/**
 * `npm run dist`: checks the packaging config, builds the app (electron-vite), and packages it with
 * electron-builder for the current platform (Windows NSIS; Linux AppImage + .deb; macOS dmg).
 *
 *   npm run dist                 installers for this platform into dist/
 *   npm run dist -- --dir        an unpacked app only (dist/<platform>-unpacked), quickest check
 *   npm run dist -- --skip-build package what is already in out/
 *   npm run dist -- --check      only the config checks and the signing status (no Electron needed)
 *
 * Signing comes from the environment only (see electron-builder.yml). An unsigned build is allowed
 * for testing, says so loudly, and is stamped `schoolStationBuild.signed = false` into the packaged
 * package.json so the About view shows it. SCHOOL_STATION_REQUIRE_SIGNING=1 makes an unsigned Windows or
 * macOS build fail (Linux packages are not code-signed at all).
 *
 * The same checks run in `npm test` (test/unit/builder-config.test.ts): a config electron-builder's own
 * schema rejects, a native module packed inside the asar, fuses not as required, electron-updater older
 * than 6.3.0 or no Windows publisherName all fail the build before anything is packaged.
 */
import { createPublicKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, matchesGlob, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import type * as ElectronBuilder from 'electron-builder';
import { compareVersions, parseVersion } from '../common/update-policy.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The native addons the station loads; each must be unpacked from the asar as a whole package. */
export const REQUIRED_NATIVE_MODULES = ['better-sqlite3-multiple-ciphers', 'better-sqlite3', '@serialport/bindings-cpp', '@pokusew/pcsclite'] as const;
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
} as const;
export const MIN_ELECTRON_UPDATER = '6.3.0';

export type BuilderConfig = Record<string, unknown> & {
  files?: string[];
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  extraResources?: { from: string; to: string; filter?: string[] }[];
  win?: { signtoolOptions?: { publisherName?: string | string[] | null }; azureSignOptions?: { publisherName?: string }; verifyUpdateCodeSignature?: boolean };
  nsis?: Record<string, unknown>;
  extraMetadata?: Record<string, unknown>;
};

export function loadBuilderConfig(path = join(ROOT, 'electron-builder.yml')): BuilderConfig {
  return yaml.load(readFileSync(path, 'utf8')) as BuilderConfig;
}

/** electron-builder's own validation (app-builder-lib's validateConfiguration against its scheme.json). */
export async function validateWithElectronBuilder(config: BuilderConfig): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
  };
  await validateConfiguration(structuredClone(config), { isEnabled: false, add() {} });
}

/**
 * Would electron-builder put this project path into the app? Its `files` semantics: the last matching
 * pattern wins; production node_modules are copied by electron-builder itself, so they start included
 * and only `!` patterns remove them.
 */
export function isPackaged(config: BuilderConfig, path: string): boolean {
  const patterns = config.files ?? ['**/*'];
  let included = path.startsWith('node_modules/');
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchesGlob(path, p.slice(1))) included = false;
    } else if (matchesGlob(path, p)) included = true;
  }
  return included;
}

export function isUnpacked(config: BuilderConfig, path: string): boolean {
  return (config.asarUnpack ?? []).some((p) => matchesGlob(path, p));
}

/** Production dependencies with a native build (binding.gyp), found by walking package.json dependencies. */
export function nativeModulesInProduction(root = ROOT): string[] {
  const seen = new Set<string>();
  const native: string[] = [];
  const visit = (name: string, fromDir: string) => {
    let pkgPath: string;
    try {
      pkgPath = createRequire(join(fromDir, 'noop.js')).resolve(`${name}/package.json`);
    } catch {
      return; // optional or platform-specific dependency not installed here
    }
    const dir = dirname(pkgPath);
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    if (existsSync(join(dir, 'binding.gyp'))) native.push(name);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, root);
  return [...new Set(native)].sort();
}

function minVersionOfRange(range: string): string | null {
  const m = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(range);
  return m ? m[1]! : null;
}

/** Everything that must hold before a build; each problem in words IT can act on. */
export function packagingProblems(config: BuilderConfig, root = ROOT): string[] {
  const problems: string[] = [];
  const natives = new Set<string>([...REQUIRED_NATIVE_MODULES, ...nativeModulesInProduction(root)]);
  for (const name of natives) {
    const probe = `node_modules/${name}/package.json`;
    if (!isUnpacked(config, probe) || !isUnpacked(config, `node_modules/${name}/build/Release/addon.node`)) {
      problems.push(`native module ${name} is not unpacked from the asar: add "node_modules/${name}/**" to asarUnpack`);
    }
  }
  for (const [fuse, want] of Object.entries(REQUIRED_FUSES)) {
    if (config.electronFuses?.[fuse] !== want) problems.push(`electronFuses.${fuse} must be ${want}`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const range = pkg.dependencies?.['electron-updater'];
  const floor = range ? minVersionOfRange(range) : null;
  if (!floor || compareVersions(floor, MIN_ELECTRON_UPDATER) < 0) {
    problems.push(
      `electron-updater must be a dependency at ${MIN_ELECTRON_UPDATER} or later (earlier versions have a signature-check bypass); package.json says ${range ?? 'nothing'}`,
    );
  }
  const installedPath = join(root, 'node_modules/electron-updater/package.json');
  const installed = existsSync(installedPath) ? (JSON.parse(readFileSync(installedPath, 'utf8')) as { version: string }).version : null;
  if (!installed || compareVersions(installed, MIN_ELECTRON_UPDATER) < 0) {
    problems.push(`installed electron-updater is ${installed ?? 'missing'}; ${MIN_ELECTRON_UPDATER} or later is required`);
  }
  const names = config.win?.signtoolOptions?.publisherName ?? config.win?.azureSignOptions?.publisherName;
  const list = Array.isArray(names) ? names : names ? [names] : [];
  if (list.length === 0 || list.some((n) => typeof n !== 'string' || n.trim() === '')) {
    problems.push('win.signtoolOptions.publisherName is missing: without it electron-updater does not check the signature of Windows updates');
  }
  if (config.win?.verifyUpdateCodeSignature === false) problems.push('win.verifyUpdateCodeSignature must not be false');
  for (const path of ['test/unit/a.test.ts', 'bench/run.ts', 'server/app.ts', 'server/releases/publish.ts', 'station/station.ts', 'electron-builder.yml']) {
    if (isPackaged(config, path)) problems.push(`${path} would be packed into the app: tighten "files"`);
  }
  for (const path of ['out/main/index.js', 'out/preload/index.cjs', 'out/main/station-process.js', 'out/renderer/index.html', 'package.json']) {
    if (!isPackaged(config, path)) problems.push(`${path} would be missing from the app: check "files"`);
  }
  if (!config.extraResources?.some((r) => r.from === 'core/store/migrations')) {
    problems.push('core/store/migrations must ship as an extraResource (the station opens its store with them)');
  }
  if (config.nsis?.deleteAppDataOnUninstall !== false) problems.push('nsis.deleteAppDataOnUninstall must be false: the data folder holds the unsent outbox');
  for (const icon of ['resources/icon.ico', 'resources/icon.png']) {
    if (!existsSync(join(root, icon))) problems.push(`${icon} is missing: run node resources/make-icons.ts`);
  }
  return problems;
}

export interface SigningInfo {
  signed: boolean;
  how: string;
}

/**
 * The publisher's Ed25519 public key that release feeds must be signed with (main/feed-trust.ts), and the
 * lowest version any update may install, both built into the packaged app. From the environment
 * (SCHOOL_STATION_RELEASE_PUBLIC_KEY holding the PEM, or SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE naming it)
 * and package.json's `schoolStation.minimumVersion`. Without them a build could never be updated safely,
 * so dist refuses.
 */
export function releaseTrustFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  packageJson: { schoolStation?: { minimumVersion?: unknown } },
): { releaseKey: string; minimumVersion: string } | { problem: string } {
  let pem = env.SCHOOL_STATION_RELEASE_PUBLIC_KEY ?? null;
  if (!pem && env.SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE) {
    try {
      pem = readFileSync(env.SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE, 'utf8');
    } catch (err) {
      return { problem: `SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE cannot be read: ${(err as Error).message}` };
    }
  }
  if (!pem) {
    return {
      problem:
        'no release public key: set SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE to the publisher key that signs the release feeds ' +
        '(make a pair with `node server/releases/publish.ts keygen --out <dir>`); stations refuse unsigned feeds',
    };
  }
  let type: string | undefined;
  try {
    type = createPublicKey(pem).asymmetricKeyType;
  } catch (err) {
    return { problem: `the release public key is not a PEM public key: ${(err as Error).message}` };
  }
  if (type !== 'ed25519') return { problem: `the release public key is ${type ?? 'unknown'}, not Ed25519` };
  const min = packageJson.schoolStation?.minimumVersion;
  if (typeof min !== 'string' || !parseVersion(min)) return { problem: 'package.json has no valid schoolStation.minimumVersion' };
  return { releaseKey: pem.trim(), minimumVersion: min };
}

/** Whether this build will be code-signed, from the environment only. */
export function signingFromEnv(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): SigningInfo {
  if (platform === 'win32') {
    if (env.WIN_CSC_LINK || env.CSC_LINK) return { signed: true, how: 'certificate file from CSC_LINK / WIN_CSC_LINK' };
    if (env.AZURE_SIGN_ENDPOINT && env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID) return { signed: true, how: 'Azure Trusted Signing' };
    return { signed: false, how: 'no CSC_LINK / WIN_CSC_LINK or Azure signing variables' };
  }
  if (platform === 'darwin') {
    if (env.CSC_LINK || env.CSC_NAME) return { signed: true, how: 'Developer ID from CSC_LINK / CSC_NAME' };
    return { signed: false, how: 'no CSC_LINK / CSC_NAME' };
  }
  return { signed: false, how: 'AppImage and .deb are not code-signed; updates are protected by the sha512 in the channel feed' };
}

function loud(lines: string[]): void {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!!  ${l}`).join('\n')}\n${bar}\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
    },
  });
  const config = loadBuilderConfig();
  try {
    await validateWithElectronBuilder(config);
  } catch (err) {
    console.error(`dist: electron-builder.yml is invalid:\n${(err as Error).message}`);
    return 1;
  }
  const problems = packagingProblems(config);
  if (problems.length) {
    console.error(`dist: refusing to build:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }

  const signing = signingFromEnv(process.env, process.platform);
  if (!signing.signed) {
    loud([
      'UNSIGNED BUILD',
      `Reason: ${signing.how}.`,
      process.platform === 'win32'
        ? 'Windows SmartScreen will warn on install, and stations cannot verify the publisher of this build.'
        : 'The About view will say "unsigned build".',
      'Set CSC_LINK and CSC_KEY_PASSWORD (or the Azure signing variables) for a release build.',
    ]);
    // Linux packages have no code signing to require; their integrity rests on the feed's sha512.
    if (process.env.SCHOOL_STATION_REQUIRE_SIGNING === '1' && process.platform !== 'linux') {
      console.error('dist: SCHOOL_STATION_REQUIRE_SIGNING=1 and no signing configured: stopping.');
      return 1;
    }
  } else {
    console.log(`dist: signing with ${signing.how}`);
  }

  const trust = releaseTrustFromEnv(process.env, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as never);
  if ('problem' in trust) {
    console.error(`dist: refusing to build: ${trust.problem}`);
    return 1;
  }
  console.log(`dist: release feeds must be signed with the key in the build; minimum version ${trust.minimumVersion}`);

  if (process.platform === 'win32' && signing.signed && !process.env.SCHOOL_STATION_CERT_THUMBPRINTS) {
    console.error(
      'dist: refusing to build: a signed Windows build needs SCHOOL_STATION_CERT_THUMBPRINTS (the SHA-1 thumbprints of the signing certificates, ; between them) so stations pin them',
    );
    return 1;
  }

  if (values.check) {
    console.log("dist: electron-builder.yml passes electron-builder's schema and the packaging checks");
    return 0;
  }

  if (!values['skip-build']) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) return r.status ?? 1;
  }

  const effective: BuilderConfig = structuredClone(config);
  const certificateThumbprints = (process.env.SCHOOL_STATION_CERT_THUMBPRINTS ?? '').split(/[;,\s]+/).filter(Boolean);
  effective.extraMetadata = {
    ...effective.extraMetadata,
    schoolStationBuild: { signed: signing.signed, builtAt: new Date().toISOString(), ...trust, certificateThumbprints },
  };
  if (process.env.SCHOOL_STATION_PUBLISHER_NAME) {
    effective.win = {
      ...effective.win,
      signtoolOptions: { ...effective.win?.signtoolOptions, publisherName: process.env.SCHOOL_STATION_PUBLISHER_NAME.split(';') },
    };
  }
  if (process.platform === 'win32' && process.env.AZURE_SIGN_ENDPOINT && !process.env.CSC_LINK && !process.env.WIN_CSC_LINK) {
    const publisherName = [effective.win?.signtoolOptions?.publisherName].flat()[0] ?? '';
    effective.win = {
      ...effective.win,
      signtoolOptions: undefined,
      azureSignOptions: {
        publisherName,
        endpoint: process.env.AZURE_SIGN_ENDPOINT,
        codeSigningAccountName: process.env.AZURE_SIGN_ACCOUNT ?? '',
        certificateProfileName: process.env.AZURE_SIGN_PROFILE ?? '',
      } as { publisherName: string },
    };
  }
  if (process.env.SCHOOL_STATION_REQUIRE_SIGNING === '1' && process.platform !== 'linux') effective.forceCodeSigning = true;

  const { build, Platform } = require('electron-builder') as typeof ElectronBuilder;
  const platform = Platform.current();
  const artifacts = await build({
    projectDir: ROOT,
    config: effective as never,
    publish: 'never',
    targets: platform.createTarget(values.dir ? ['dir'] : undefined),
  });
  console.log(`dist: built\n${artifacts.map((a) => `  ${a}`).join('\n')}`);
  if (!values.dir) {
    const feeds = readdirSync(join(ROOT, 'dist')).filter((f) => /^latest.*\.yml$/.test(f));
    console.log(
      `dist: feeds ${feeds.join(', ')}. Publish with:\n  node server/releases/publish.ts publish --releases <release folder> --channel beta --staging 10 dist`,
    );
  }
  if (!signing.signed) loud(['UNSIGNED BUILD (see above)']);
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`dist: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
