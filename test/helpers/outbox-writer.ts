/**
 * A child process for the crash test: appends pass events to a real store as fast as it can and prints
 * each id once its append has returned (durable with synchronous=FULL). The test kills it with SIGKILL.
 */
import { systemClock } from '../../common/clock.ts';
import { openStore } from '../../core/store/index.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: outbox-writer <db path>');
const store = openStore(path, systemClock());
for (let i = 0; ; i++) {
  const { id, seq } = store.outbox.append('pass', {
    direction: i % 2 ? 'out' : 'in',
    verdict: 'allow',
    reason: 'active',
    readerId: 'entry-1',
    gate: null,
    card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
    holderKind: 'student',
    holderId: `S${i}`,
  });
  process.stdout.write(`${seq} ${id}\n`);
}
