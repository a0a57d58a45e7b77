/**
 * A child's figures for the sale rules over the whole school, not this till alone: the school-wide
 * figure the last roster page brought (RosterPage.today), plus the other tills' meal facts that came
 * after it (by fact seq), plus this till's own debits that figure does not include yet (by outbox
 * position). Each sale is counted once: a fact with a seq up to the figure's `asOf` is inside the
 * figure; an own debit acknowledged before the page was written is inside it too (migration 004's mark).
 */
import type { Store } from '../store/index.ts';
import type { HolderFigures } from '../store/cashier-ledger.ts';

export function schoolFigures(store: Store, holderId: string, today: string): HolderFigures {
  const own = store.ledger.figures(holderId, today);
  const base = store.schoolDay.base(holderId, today);
  if (!base) {
    // No figure for today yet: every other till's fact of today and every own debit of today.
    const others = store.schoolDay.mealsAfter(holderId, today, 0);
    return {
      ...own,
      spentToday: own.spentToday + others.spent,
      offlineSpentToday: own.offlineSpentToday + others.offlineSpent,
      subsidyUsedToday: own.subsidyUsedToday || others.subsidyMeals > 0,
    };
  }
  const others = store.schoolDay.mealsAfter(holderId, today, base.asOf);
  const mine = store.ledger.notInSchoolFigure(holderId, today);
  return {
    ...own,
    spentToday: Math.max(0, base.spent + others.spent + mine.spent),
    offlineSpentToday: Math.max(0, base.offlineSpent + others.offlineSpent + mine.offlineSpent),
    subsidyUsedToday: base.subsidyMeals + others.subsidyMeals + mine.subsidyMeals > 0,
  };
}

/**
 * The till's quiet note: a pupil with no entry at any guard post of the school today. Only where the
 * school asks for it and has a guard post this station hears from (a school without one would see the
 * note on every child).
 */
export function noEntryToday(store: Store, holder: { kind: string; id: string }, today: string): boolean {
  if (holder.kind !== 'student') return false;
  if (!store.syncState.schoolSettings().noEntryNoteAtTill) return false;
  if (!store.schoolDay.stations().some((s) => s.role === 'guard')) return false;
  return !store.schoolDay.hasEntry(holder.id, today);
}
