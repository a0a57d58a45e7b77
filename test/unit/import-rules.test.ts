import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rules of DESIGN.md §1 are lint errors', () => {
  it.each([
    ['common/x.ts', "import { readFileSync } from 'node:fs';"],
    ['common/x.ts', "import { Store } from '../core/store/index.ts';"],
    ['renderer/src/x.ts', "import Database from 'better-sqlite3';"],
    ['renderer/src/x.ts', "import { join } from 'path';"],
    ['core/x.ts', "import { app } from 'electron';"],
    ['core/x.ts', "import { App } from '../renderer/src/app.tsx';"],
    ['hardware/x.ts', "import { push } from '../sync/push.ts';"],
    ['sync/x.ts', "import { PcscReader } from '../hardware/pcsc-reader.ts';"],
    ['sync/x.ts', "import Database from 'better-sqlite3';"],
    ['server/x.ts', "import { Roster } from '../core/store/roster.ts';"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restricted(file, `${code}\nexport {};\n`)).toHaveLength(1);
  });

  it.each([
    ['main/x.ts', "import { app } from 'electron';"],
    ['preload/x.ts', "import { contextBridge } from 'electron';"],
    ['core/x.ts', "import Database from 'better-sqlite3';"],
    ['renderer/src/x.ts', "import { formatMoney } from '../../common/money.ts';"],
    ['sync/x.ts', "import { StationEvent } from '../common/events.ts';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restricted(file, `${code}\nexport {};\n`)).toEqual([]);
  });
});
