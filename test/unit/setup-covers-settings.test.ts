import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { GuardSettings } from '../../common/guard-rules.ts';
import { Settings } from '../../common/settings.ts';
import { UpdateSettings } from '../../common/update-policy.ts';

const root = join(import.meta.dirname, '..', '..');
const setupDir = join(root, 'renderer', 'src', 'setup');
const setupSource = readdirSync(setupDir)
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => readFileSync(join(setupDir, f), 'utf8'))
  .join('\n');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));

// Every station setting, the guard's and the updates' fields included.
const keys = [...Object.keys(Settings.shape), ...Object.keys(GuardSettings.shape), ...Object.keys(UpdateSettings.shape)];

it("every station setting is named in the README's configuration section", () => {
  expect(keys.filter((k) => !configuration.includes(`\`${k}\``))).toEqual([]);
});

it('every station setting is edited somewhere on the setup screen', () => {
  // A key written into a settings patch (`key:`) or read from the settings (`.key`) by the setup screen.
  expect(keys.filter((k) => !new RegExp(`(\\b${k}\\s*:|\\.${k}\\b)`).test(setupSource))).toEqual([]);
});
