/**
 * A small school for guard-post tests: students in three classes, staff, cards in every state, a reserve
 * stock of spare cards; a real SQLite file in a temp folder and, when asked, a real LCUS relay on a socat pty.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Staff, Student } from '../../common/domain.ts';
import { GateConfig, type GateStatus } from '../../common/readers.ts';
import type { Clock } from '../../common/clock.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import type { Logger } from '../../common/logger.ts';
import { openStore, type Store } from '../../core/store/index.ts';
import { LcusGate, NO_GATE, type Gate } from '../../hardware/relay.ts';
import { startLcusBoard, type LcusBoard } from './lcus-board.ts';
import { startPtyPair, type PtyPair } from './socat.ts';
import { memoryLog, nextEvent } from './wait.ts';
import { card } from './cashier-fixture.ts';

export const G_TODAY = '2026-11-23';
/** 08:00 Moscow time on G_TODAY. */
export const G_MORNING = '2026-11-23T05:00:00.000Z';

const student = (id: string, fullName: string, className: string, over: Partial<Student> = {}): Student => ({
  id,
  fullName,
  className,
  photoHash: `photo-${id}`,
  status: 'active',
  ...over,
});
export const gStudents: Student[] = [
  student('S1', 'Иванов Иван Иванович', '5А'),
  student('S2', 'Петрова Мария Сергеевна', '5А'),
  student('S3', 'Сидоров Пётр Олегович', '10Б'),
  student('S4', 'Артёмова Алёна Дмитриевна', '2В'),
  student('S5', 'Смирнов Лев Андреевич', '10Б', { photoHash: null }),
  student('S6', 'Волкова Ева Игоревна', '6Б', { status: 'left' }),
];
export const gStaff: Staff[] = [
  { id: 'E1', fullName: 'Орлова Татьяна Викторовна', position: 'Учитель', photoHash: 'photo-E1', status: 'active', roles: ['teacher'] },
  { id: 'E2', fullName: 'Громов Сергей Петрович', position: 'Охранник', photoHash: null, status: 'active', roles: ['guard'] },
];
export const gCards = {
  s1: card('04A1000000000001', 'S1'),
  s2: card('04A1000000000002', 'S2'),
  s3: card('04A1000000000003', 'S3'),
  s4: card('04A1000000000004', 'S4'),
  s5: card('04A1000000000005', 'S5'),
  left: card('04A1000000000006', 'S6'),
  teacher: card('04C1000000000001', 'E1', { holderKind: 'staff' }),
  blocked: card('04B1000000000001', 'S1', { status: 'blocked' }),
  lost: card('04B1000000000002', 'S2', { status: 'lost' }),
  expired: card('04B1000000000003', 'S3', { status: 'temporary', validUntil: '2026-11-01T00:00:00.000Z' }),
  temporary: card('04B1000000000004', 'S4', { status: 'temporary', validUntil: '2026-11-30T00:00:00.000Z' }),
  ghost: card('04B1000000000005', 'S99'),
  em: card('06008E6D5D', 'S2', { technology: 'em4100' }),
};
export const gUnknown = { technology: 'em4100' as const, uid: '0600ABCDEF' };
export const gRandom = { technology: 'iso14443' as const, uid: '08A1B2C3' };
export const gSpares = [
  { technology: 'iso14443' as const, uid: '04D1000000000001', label: 'Запасная 1' },
  { technology: 'iso14443' as const, uid: '04D1000000000002', label: 'Запасная 2' },
];

export function seedGuardSchool(store: Store): void {
  store.roster.upsertStudents(gStudents);
  store.roster.upsertStaff(gStaff);
  store.roster.upsertCards(Object.values(gCards));
}

export function pinoMemoryLog() {
  const log = memoryLog();
  return Object.assign(log, { child: () => log }) as unknown as typeof log & Logger;
}

export interface GuardRig {
  dir: string;
  store: Store;
  guard: GuardPost;
  log: ReturnType<typeof pinoMemoryLog>;
  relay: LcusBoard | null;
  pair: PtyPair | null;
  gate: Gate;
  close(): Promise<void>;
}

export async function startGuardRig(
  clock: Clock,
  options: { relay?: boolean | { answers?: boolean; obeys?: boolean }; dir?: string; gate?: Gate } = {},
): Promise<GuardRig> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'guard-'));
  const store = openStore(join(dir, 'station.db'), clock);
  const log = pinoMemoryLog();
  let pair: PtyPair | null = null;
  let relay: LcusBoard | null = null;
  let gate: Gate = options.gate ?? NO_GATE;
  if (options.relay) {
    pair = await startPtyPair();
    relay = await startLcusBoard(pair, typeof options.relay === 'object' ? options.relay : {});
    const config = GateConfig.parse({ kind: 'lcus', path: pair.stationPath, pulseMs: 300, confirm: false });
    const lcus = new LcusGate(config, { log, answerMs: 200 });
    const ready = nextEvent<GateStatus>(lcus, 'status', (s) => s.state === 'ready');
    lcus.start();
    await ready;
    gate = lcus;
  }
  const guard = new GuardPost({ store, clock, gate: () => gate, log, exportDir: join(dir, 'exports'), gateTimeoutMs: 500 });
  guard.start();
  return {
    dir,
    store,
    guard,
    log,
    relay,
    pair,
    gate,
    close: async () => {
      guard.stop();
      await gate.close();
      await pair?.stop();
      store.close();
    },
  };
}
