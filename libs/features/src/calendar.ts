/**
 * US federal holidays as New York observes them (offices closed, traffic like a Sunday), by rule, so no table
 * goes stale. Python implements the same rules (training/ridestream_training/calendar.py); the golden file
 * holds rides on holidays to prove it.
 */

/** Day of month of the n-th (1-based) `weekday` (0 = Monday) of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
    return 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = (new Date(Date.UTC(year, month - 1, lastDay)).getUTCDay() + 6) % 7;
  return lastDay - ((last - weekday + 7) % 7);
}

/** Fixed-date holidays falling on a Saturday are observed the Friday before, on a Sunday the Monday after. */
function observed(year: number, month: number, day: number): number {
  const ms = Date.UTC(year, month - 1, day);
  const dow = (new Date(ms).getUTCDay() + 6) % 7;
  const shift = dow === 5 ? -1 : dow === 6 ? 1 : 0;
  return ms + shift * 86_400_000;
}

const MONDAY = 0;
const THURSDAY = 3;

function holidaysOf(year: number): Set<number> {
  const days = [
    observed(year, 1, 1),
    Date.UTC(year, 0, nthWeekday(year, 1, MONDAY, 3)), // Martin Luther King Jr. Day
    Date.UTC(year, 1, nthWeekday(year, 2, MONDAY, 3)), // Washington's Birthday
    Date.UTC(year, 4, nthWeekday(year, 5, MONDAY, -1)), // Memorial Day
    observed(year, 7, 4),
    Date.UTC(year, 8, nthWeekday(year, 9, MONDAY, 1)), // Labor Day
    Date.UTC(year, 9, nthWeekday(year, 10, MONDAY, 2)), // Columbus Day
    observed(year, 11, 11),
    Date.UTC(year, 10, nthWeekday(year, 11, THURSDAY, 4)), // Thanksgiving
    observed(year, 12, 25),
  ];
  if (year >= 2021) days.push(observed(year, 6, 19)); // Juneteenth, federal since 2021
  // A Saturday New Year's Day is observed on Friday 31 December of the year before.
  days.push(observed(year + 1, 1, 1));
  return new Set(days);
}

const byYear = new Map<number, Set<number>>();

/** Whether a New York calendar date (month 1-12) is a US federal holiday (observed). */
export function isUsHoliday(year: number, month: number, day: number): boolean {
  let days = byYear.get(year);
  if (days === undefined) {
    days = holidaysOf(year);
    byYear.set(year, days);
  }
  return days.has(Date.UTC(year, month - 1, day));
}
