import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { openStore } from '../../core/store/index.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('the outbox survives a crash', () => {
  it('after SIGKILL mid-stream every acknowledged event is present exactly once, with no gap in the sequence', async () => {
    const path = join(tempDir(), 'station.db');
    // Create the schema first so the child spends its life appending.
    openStore(path, systemClock()).close();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '..', 'helpers', 'outbox-writer.ts'), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: { seq: number; id: string }[] = [];
    let buffer = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const l of lines) {
          const [seq, id] = l.split(' ');
          acked.push({ seq: Number(seq), id: id! });
        }
        // Kill it in the middle of its stream, not at a quiet moment.
        if (acked.length >= 300 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));

    const store = openStore(path, systemClock());
    const rows = store.outbox.after(0, 1_000_000);
    store.close();
    const ids = new Set(rows.map((r) => r.id));
    expect(ids.size).toBe(rows.length);
    for (const a of acked) expect(ids.has(a.id)).toBe(true);
    // No gap: 1..n, and at least everything acknowledged (an append may have committed before its line was read).
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBeGreaterThanOrEqual(acked.length);
    expect(acked.map((a) => a.seq)).toEqual(rows.slice(0, acked.length).map((r) => r.seq));
  });
});
