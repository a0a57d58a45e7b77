import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const RULES = new Set(['layers/imports', 'no-restricted-imports']);

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && RULES.has(m.ruleId)).map((m) => m.message);
}

describe('the layering is an allow-list and its breaches are lint errors', () => {
  it.each([
    ['common/x.ts', "import { readFileSync } from 'node:fs';"],
    ['common/x.ts', "import { Store } from '../core/store/index.ts';"],
    ['common/x.ts', "import { createLogger } from '../node/logger.ts';"],
    ['common/x.ts', "import { produce } from 'immer';"],
    ['renderer/src/x.ts', "import Database from 'better-sqlite3';"],
    ['renderer/src/x.ts', "import { join } from 'path';"],
    ['renderer/src/x.ts', "import { PhotoStore } from '../../node/photos.ts';"],
    ['core/x.ts', "import { app } from 'electron';"],
    ['core/x.ts', "import { App } from '../renderer/src/app.tsx';"],
    ['core/x.ts', "import { createSyncEngine } from '../sync/engine.ts';"],
    ['core/x.ts', "import { createStation } from '../station/station.ts';"],
    ['hardware/x.ts', "import { push } from '../sync/push.ts';"],
    ['hardware/x.ts', "import { openStore } from '../core/store/index.ts';"],
    ['sync/x.ts', "import { PcscReader } from '../hardware/pcsc-reader.ts';"],
    ['sync/x.ts', "import Database from 'better-sqlite3';"],
    ['sync/x.ts', "import { openStore } from '../core/store/index.ts';"],
    ['node/x.ts', "import { Roster } from '../core/store/roster.ts';"],
    ['host/x.ts', "import { startWsBridge } from '../core/bridge/ws-server.ts';"],
    ['host/x.ts', "import { app } from 'electron';"],
    ['server/x.ts', "import { Roster } from '../core/store/roster.ts';"],
    ['main/x.ts', "import { GuardPost } from '../core/guard/guard-post.ts';"],
    ['core/x.ts', "export { Roster } from '../station/station.ts';"],
    ['core/x.ts', "const m = await import('../station/station.ts');"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restricted(file, `${code}\nexport {};\n`)).toHaveLength(1);
  });

  it.each([
    ['main/x.ts', "import { app } from 'electron';"],
    ['preload/x.ts', "import { contextBridge } from 'electron';"],
    ['core/x.ts', "import Database from 'better-sqlite3';"],
    ['core/x.ts', "import { createLogger } from '../node/logger.ts';"],
    ['renderer/src/x.ts', "import { formatMoney } from '../../common/money.ts';"],
    ['sync/x.ts', "import { StationEvent } from '../common/events.ts';"],
    ['station/x.ts', "import { createSyncEngine } from '../sync/engine.ts';"],
    ['station/x.ts', "import { openStore } from '../core/store/index.ts';"],
    ['host/x.ts', "import { createPageHandler } from '../node/page-server.ts';"],
    ['common/x.ts', "import { z } from 'zod';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restricted(file, `${code}\nexport {};\n`)).toEqual([]);
  });

  it('fires on a real file on disk, as `npm run lint` sees it', async () => {
    const file = join(process.cwd(), 'sync', `import-rule-probe-${process.pid}.ts`);
    writeFileSync(file, "import { openStore } from '../core/store/index.ts';\nexport const probe = openStore;\n");
    try {
      const [result] = await eslint.lintFiles([file]);
      const errors = (result?.messages ?? []).filter((m) => m.ruleId === 'layers/imports');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ severity: 2, message: expect.stringContaining('sync/ may import only from common/, sync/') });
    } finally {
      rmSync(file, { force: true });
    }
  });
});
