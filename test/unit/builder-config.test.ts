import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REQUIRED_FUSES,
  REQUIRED_NATIVE_MODULES,
  ROOT,
  isPackaged,
  isUnpacked,
  loadBuilderConfig,
  nativeModulesInProduction,
  packagingProblems,
  releaseTrustFromEnv,
  signingFromEnv,
  validateWithElectronBuilder,
  type BuilderConfig,
} from '../../scripts/dist.ts';

const config = loadBuilderConfig();

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateWithElectronBuilder(config)).resolves.toBeUndefined();
  });

  it('the schema check is real: a misspelt option is rejected', async () => {
    const bad = { ...config, nsis: { ...config.nsis, perMachin: true } };
    await expect(validateWithElectronBuilder(bad)).rejects.toThrow(/does not match the API schema/);
  });

  it('has no packaging problems (natives unpacked, fuses, electron-updater, publisherName, files, migrations, icons)', () => {
    expect(packagingProblems(config)).toEqual([]);
  });

  it('every native module in the production dependencies is unpacked from the asar, as a whole package', () => {
    const natives = nativeModulesInProduction();
    // The walk finds the ones the station needs (if one vanished from node_modules the list would say so).
    for (const name of REQUIRED_NATIVE_MODULES) expect(natives).toContain(name);
    for (const name of natives) expect([name, isUnpacked(config, `node_modules/${name}/lib/index.js`)]).toEqual([name, true]);
  });

  it('fails when a native module is missing from asarUnpack', () => {
    const without: BuilderConfig = { ...config, asarUnpack: config.asarUnpack!.filter((p) => p !== 'node_modules/better-sqlite3/**') };
    expect(packagingProblems(without)).toEqual([
      'native module better-sqlite3 is not unpacked from the asar: add "node_modules/better-sqlite3/**" to asarUnpack',
    ]);
  });

  it('fails when a fuse is not as the issue requires', () => {
    for (const [fuse, want] of Object.entries(REQUIRED_FUSES)) {
      const flipped: BuilderConfig = { ...config, electronFuses: { ...config.electronFuses, [fuse]: !want } };
      expect(packagingProblems(flipped)).toEqual([`electronFuses.${fuse} must be ${want}`]);
    }
    const { electronFuses: _gone, ...noFuses } = config;
    expect(packagingProblems(noFuses).length).toBe(Object.keys(REQUIRED_FUSES).length);
  });

  it('fails without a Windows publisherName, or with update signature checks turned off', () => {
    const noPublisher: BuilderConfig = { ...config, win: { ...config.win, signtoolOptions: {} } };
    expect(packagingProblems(noPublisher)).toEqual([
      'win.signtoolOptions.publisherName is missing: without it electron-updater does not check the signature of Windows updates',
    ]);
    const noVerify: BuilderConfig = { ...config, win: { ...config.win, verifyUpdateCodeSignature: false } };
    expect(packagingProblems(noVerify)).toEqual(['win.verifyUpdateCodeSignature must not be false']);
  });

  it('fails when electron-updater is older than 6.3.0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'builder-config-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'old', dependencies: { 'electron-updater': '^6.2.1' } }));
      mkdirSync(join(dir, 'node_modules/electron-updater'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/electron-updater/package.json'), JSON.stringify({ name: 'electron-updater', version: '6.2.1' }));
      cpSync(join(ROOT, 'resources'), join(dir, 'resources'), { recursive: true });
      const problems = packagingProblems(config, dir);
      expect(problems).toContain(
        'electron-updater must be a dependency at 6.3.0 or later (earlier versions have a signature-check bypass); package.json says ^6.2.1',
      );
      expect(problems).toContain('installed electron-updater is 6.2.1; 6.3.0 or later is required');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("packs the built app only: nothing of test/, bench/, server/ or the reference server's packages", () => {
    expect(isPackaged(config, 'out/main/index.js')).toBe(true);
    expect(isPackaged(config, 'out/renderer/assets/index.js')).toBe(true);
    expect(isPackaged(config, 'out/main/index.js.map')).toBe(false);
    for (const p of [
      'test/integration/release-feed.test.ts',
      'bench/run.ts',
      'server/app.ts',
      'core/store/db.ts',
      'scripts/dist.ts',
      'node_modules/fastify/fastify.js',
      'node_modules/pg/lib/index.js',
    ]) {
      expect([p, isPackaged(config, p)]).toEqual([p, false]);
    }
    expect(isPackaged(config, 'node_modules/electron-updater/out/main.js')).toBe(true);
    expect(isPackaged(config, 'node_modules/js-yaml/index.js')).toBe(true); // electron-updater needs it
  });

  it('ships the store migrations, keeps app data on uninstall, installs per machine', () => {
    expect(config.extraResources).toContainEqual({ from: 'core/store/migrations', to: 'migrations', filter: ['*.sql'] });
    expect(config.nsis).toMatchObject({ perMachine: true, deleteAppDataOnUninstall: false });
    expect(config.publish).toMatchObject({ provider: 'generic' });
  });

  it('has a 512×512 PNG and a Windows .ico with a 256 px entry', () => {
    const png = readFileSync(join(ROOT, 'resources/icon.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    const ico = readFileSync(join(ROOT, 'resources/icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1); // icon
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + i * 16) || 256);
    expect(widths).toContain(256);
    expect(widths).toContain(16);
  });

  it('package.json has the dist script', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // The Node-version check runs first (npm scripts say what to run on an old Node), then the dist script.
    expect(pkg.scripts.dist).toBe('node scripts/require-node.cjs && node scripts/dist.ts');
  });
});

describe('signing comes from the environment only', () => {
  it('a Windows build is signed only with a certificate or a signing service in the environment', () => {
    expect(signingFromEnv({}, 'win32').signed).toBe(false);
    expect(signingFromEnv({ CSC_LINK: 'C:\\certs\\school.pfx', CSC_KEY_PASSWORD: 'x' }, 'win32').signed).toBe(true);
    expect(signingFromEnv({ WIN_CSC_LINK: 'base64…' }, 'win32').signed).toBe(true);
    expect(signingFromEnv({ AZURE_SIGN_ENDPOINT: 'https://weu.codesigning.azure.net', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' }, 'win32')).toEqual({
      signed: true,
      how: 'Azure Trusted Signing',
    });
    expect(signingFromEnv({ CSC_LINK: 'x' }, 'linux').signed).toBe(false);
  });

  it('the repository holds no certificate and the config names none', () => {
    const text = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(/^\s*(cscLink|cscKeyPassword|certificateFile|certificatePassword)\s*:/m);
  });
});

describe('the release key built into a packaged app', () => {
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pkg = { schoolStation: { minimumVersion: '0.1.0' } };

  it('dist refuses to build without the publisher key that signs release feeds', () => {
    expect(releaseTrustFromEnv({}, pkg)).toEqual({ problem: expect.stringMatching(/no release public key/) });
  });

  it('refuses a key that is not an Ed25519 public key, and a missing minimum version', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(releaseTrustFromEnv({ SCHOOL_STATION_RELEASE_PUBLIC_KEY: rsa }, pkg)).toEqual({ problem: expect.stringMatching(/not Ed25519/) });
    expect(releaseTrustFromEnv({ SCHOOL_STATION_RELEASE_PUBLIC_KEY: 'not a key' }, pkg)).toEqual({ problem: expect.stringMatching(/not a PEM/) });
    expect(releaseTrustFromEnv({ SCHOOL_STATION_RELEASE_PUBLIC_KEY: pem }, {})).toEqual({ problem: expect.stringMatching(/minimumVersion/) });
  });

  it('takes the key from the environment and the minimum version from package.json', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { schoolStation: { minimumVersion: string } };
    expect(releaseTrustFromEnv({ SCHOOL_STATION_RELEASE_PUBLIC_KEY: pem }, root)).toEqual({
      releaseKey: pem.trim(),
      minimumVersion: root.schoolStation.minimumVersion,
    });
  });
});
