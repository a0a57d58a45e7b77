/**
 * The school's day, shared: the facts each station's events left (passes, meal figures), in commit
 * order, for the other stations of the school. A station long-polls `GET /v1/day?since=cursor`: the
 * reply comes at once when facts are waiting, otherwise when the next batch commits (or after `wait`
 * seconds with none). A fact's `seq` is taken from the roster revision counter inside the batch's
 * roster transaction, so facts become visible in `seq` order and a cursor never skips one.
 *
 * One server database is one school: every station enrolled to it is a station of that school.
 */
import type { DayFact, DayReply, DayStation } from '../common/sync-api.ts';
import type { StationRole } from '../common/events.ts';
import { schoolDate as schoolDateOf } from '../common/school-time.ts';
import { readSchoolSettings } from './school.ts';
import type { Database, Sql } from './storage/sql.ts';

/** A long-poll re-reads this often even without a wake-up (another server process may have committed). */
const RECHECK_MS = 5_000;

/** Wakes the requests waiting for facts when a batch that wrote some commits. */
export class DayFeed {
  #waiters = new Set<() => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** A promise for the next commit with facts (take it before reading, so no commit falls between). */
  next(): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    if (this.#closed) wake();
    else this.#waiters.add(wake);
    return { promise, cancel: () => this.#waiters.delete(wake) };
  }

  notify(): void {
    const w = this.#waiters;
    this.#waiters = new Set();
    for (const f of w) f();
  }

  /** The server is closing: every held request answers now. */
  close(): void {
    this.#closed = true;
    this.notify();
  }
}

interface FactRow {
  seq: number;
  station_id: string;
  body: string;
}

export class SchoolDay {
  readonly #db: Database;
  readonly feed = new DayFeed();
  /** The school date whose earlier facts were last deleted. */
  #prunedBefore: string | null = null;

  constructor(db: Database) {
    this.#db = db;
  }

  async #stations(sql: Sql, except: string): Promise<DayStation[]> {
    const rows = await sql.all<{ id: string; name: string; role: StationRole | null; last_seen_at: string | null }>(
      'SELECT id, name, role, last_seen_at FROM stations WHERE revoked_at IS NULL AND id <> ? ORDER BY enrolled_at',
      [except],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, lastSeenAt: r.last_seen_at }));
  }

  /** Today's facts after `since` from the school's other stations (own facts only move the cursor). */
  async read(stationId: string, since: number, limit: number): Promise<DayReply> {
    const settings = await readSchoolSettings(this.#db);
    const date = schoolDateOf(Date.now(), settings.timeZone);
    if (this.#prunedBefore !== date) {
      // Only today's facts are ever read: earlier days' go at the first read of a new day (another
      // server process on the same database may do the same; the delete is idempotent).
      await this.#db.run('DELETE FROM day_facts WHERE school_date < ?', [date]);
      this.#prunedBefore = date;
    }
    const rows = await this.#db.all<FactRow>('SELECT seq, station_id, body FROM day_facts WHERE school_date = ? AND seq > ? ORDER BY seq LIMIT ?', [
      date,
      since,
      limit + 1,
    ]);
    const more = rows.length > limit;
    const taken = rows.slice(0, limit);
    // A visitor's name is for the guard posts' roll call: a till has no use for it and never gets it (a
    // station enrolled before roles may be a guard post).
    const role = (await this.#db.get<{ role: StationRole | null }>('SELECT role FROM stations WHERE id = ?', [stationId]))?.role ?? null;
    const facts: DayFact[] = [];
    for (const r of taken) {
      if (r.station_id === stationId) continue;
      const f = { ...(JSON.parse(r.body) as FactDraft), seq: Number(r.seq) } as DayFact;
      if (f.kind === 'visitor' && role === 'cashier') continue;
      facts.push(f);
    }
    const cursor = taken.length ? Number(taken[taken.length - 1]!.seq) : since;
    return { date, cursor: String(cursor), more, facts, stations: await this.#stations(this.#db, stationId) };
  }

  /**
   * The long-poll: answers with facts as soon as there are some, else holds up to `waitMs`. `gone` is
   * aborted when the station hangs up.
   */
  async poll(stationId: string, since: number, limit: number, waitMs: number, gone: AbortSignal): Promise<DayReply> {
    await this.#db.run('UPDATE stations SET last_seen_at = ? WHERE id = ?', [new Date().toISOString(), stationId]);
    const deadline = Date.now() + waitMs;
    let cursor = since;
    for (;;) {
      const woke = this.feed.next();
      const reply = await this.read(stationId, cursor, limit);
      const left = deadline - Date.now();
      if (reply.facts.length || reply.more || left <= 0 || gone.aborted || this.feed.closed) {
        woke.cancel();
        return reply;
      }
      // Only this station's own facts (or none): hold on from the cursor they moved.
      cursor = Number(reply.cursor);
      let timer: NodeJS.Timeout | undefined;
      const onGone = () => woke.cancel();
      await Promise.race([
        woke.promise,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(left, RECHECK_MS));
          gone.addEventListener('abort', () => resolve(), { once: true });
        }),
      ]);
      clearTimeout(timer);
      onGone();
    }
  }
}

/** The facts a batch leaves, before the batch gives them their `seq`. */
export type FactDraft = DayFact extends infer F ? (F extends DayFact ? Omit<F, 'seq'> : never) : never;
