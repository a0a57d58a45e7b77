/**
 * The school server's side of the guard bench's roster-sync load, run by guard.bench.ts as its own process
 * at the lowest CPU priority: on each line on stdin it changes every student on the reference server (a
 * trailing space on the name, then back) and answers with the number of rows on stdout. In a school the
 * server is not on the station's PC; in the bench process this work also blocked the browser host's pipe
 * (the SQLite transaction is synchronous), which a station never has.
 */
import { createInterface } from 'node:readline';
import type { Student } from '../common/domain.ts';
import { openRepo } from '../test/helpers/sync-rig.ts';

const repo = await openRepo({ kind: 'sqlite', dataDir: process.argv[2]! });
let round = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'round') break;
  const odd = round % 2 === 1;
  let rows = 0;
  await repo.db.tx(
    async (tx) => {
      const all = await tx.all<{ id: string; full_name: string; class_name: string; photo_hash: string | null; status: Student['status'] }>(
        'SELECT * FROM students',
      );
      for (const r of all) {
        const name = r.full_name.trimEnd() + (odd ? '' : ' ');
        await repo.upsertStudent(tx, { id: r.id, fullName: name, className: r.class_name, photoHash: r.photo_hash, status: r.status });
      }
      rows = all.length;
    },
    { roster: true },
  );
  round++;
  process.stdout.write(`${rows}\n`);
}
await repo.db.close();
