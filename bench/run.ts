/**
 * `npm run bench`: runs every bench/*.bench.ts in turn. Each prints its own tables and, for each figure,
 * one line `bench <name>: <number> <unit>` (or `bench <name>: n/a <reason>`) through `report`.
 * Pass names to run only some: `npm run bench -- store`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';

export type Report = (name: string, value: number | string, unit: string) => void;
export interface BenchModule {
  default: (report: Report) => Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

console.log(`School Station benchmarks on ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const report: Report = (name, value, unit) => {
  if (typeof value === 'number') console.log(`bench ${name}: ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}`);
  else console.log(`bench ${name}: n/a ${value}`);
};
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as BenchModule;
    await mod.default(report);
  } catch (err) {
    failed++;
    console.error(`${f} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
