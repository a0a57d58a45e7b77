import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InsideList, PersonFound } from '../../common/contract/guard.ts';
import type { HolderKind } from '../../common/domain.ts';
import { groupInside } from '../../common/guard-rules.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import { renderInsideCsv, renderInsideHtml } from './inside-export.ts';
import type { PassBook } from './pass-book.ts';

export interface RollCallOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  book: PassBook;
  /** Where roll-call exports are written (the data folder's `exports/`). */
  exportDir: string;
}

/** Who is inside and where a person is, from today's passes alone (so it works offline, in an emergency too). */
export class RollCall {
  readonly #o: RollCallOptions;

  constructor(options: RollCallOptions) {
    this.#o = options;
  }

  /** Who is inside now by today's passes: each person's last allowed pass is an entry. */
  insideList(): InsideList {
    const { clock, book } = this.#o;
    const now = clock.now();
    const inside = book.inside();
    const people = inside.people();
    const since = new Map(people.map((p) => [`${p.kind}:${p.id}`, p.since]));
    const grouped = groupInside(people);
    const stations = this.#o.store.schoolDay.stations();
    const postName = new Map(stations.map((s) => [s.id, s.name]));
    const withSince = <T extends { kind: HolderKind; id: string }>(p: T) => ({ ...p, since: since.get(`${p.kind}:${p.id}`) ?? '' });
    return {
      generatedAt: book.nowIso(now),
      schoolDate: book.schoolDate(now),
      classes: grouped.classes.map((c) => ({ className: c.className, people: c.people.map(withSince) })),
      staff: grouped.staff.map(withSince),
      // A visitor let in at another post is named with that post (unnamed or since revoked: '').
      visitors: inside
        .visitors()
        .map((v) => ({ name: v.name, reason: v.reason, at: v.at, post: v.stationId === null ? null : (postName.get(v.stationId) ?? '') })),
      // Visitors are listed apart and counted in: the same number as the counter's "inside now".
      total: inside.count(),
      posts: stations.filter((s) => s.role !== 'cashier').map((s) => ({ id: s.id, name: s.name, heardAt: s.lastSeenAt })),
    };
  }

  /** Writes the roll call to a file in the exports folder (works offline) and returns it for download too. */
  exportInside(format: 'csv' | 'html', locale: 'ru' | 'en'): { path: string; fileName: string; mime: string; content: string } {
    const { exportDir, log } = this.#o;
    const timeZone = this.#o.book.timeZone();
    const list = this.insideList();
    const content = format === 'csv' ? renderInsideCsv(list, locale, timeZone) : renderInsideHtml(list, locale, timeZone);
    const stamp = list.generatedAt.replace(/[:.]/g, '-');
    const fileName = `inside-${stamp}.${format}`;
    mkdirSync(exportDir, { recursive: true, mode: 0o700 });
    const path = join(exportDir, fileName);
    // Names of children: the station's user's alone, and deleted with the retention period.
    writeFileSync(path, format === 'csv' ? `\uFEFF${content}` : content, { mode: 0o600 });
    log.info({ path, total: list.total }, 'guard: roll call exported');
    return { path, fileName, mime: format === 'csv' ? 'text/csv' : 'text/html', content };
  }

  /** People by name or class, each with where today's passes put them and the spare card they carry. */
  search(query: string, limit: number): PersonFound[] {
    const { store, book } = this.#o;
    return store.roster.searchPeople(query, limit).map((r) => {
      const last = book.lastDirection(r.kind, r.id);
      const spare = store.spares.ofHolder(r.id);
      return {
        kind: r.kind,
        id: r.id,
        fullName: r.fullName,
        group: r.group,
        photoHash: r.photoHash,
        status: r.status,
        whereabouts: last === 'in' ? 'inside' : last === 'out' ? 'outside' : 'unknown',
        spareCard: spare && spare.bound_until ? { technology: spare.technology, uid: spare.uid, label: spare.label, until: spare.bound_until } : null,
      };
    });
  }
}
