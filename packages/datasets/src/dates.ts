/**
 * Synthetic translation pairs for sequence-to-sequence models (the seq2seq-dates example, the
 * CLI's seq2seq-dates family): calendar dates between 1950 and 2049 written the ways
 * people write them ("3rd of March 1997", "03/03/97", "March 3, 1997", "Mon 3 Mar 1997", ...)
 * paired with their ISO 8601 form ("1997-03-03"). Everything is drawn from a seeded @axon/tensor
 * Generator, so a seed gives the same sentences. It lives in the datasets package, not beside the
 * example, so that an app can train on it without importing an example. Numeric forms are day first (03/04/97 is the 3rd
 * of April); two-digit years are 1950–2049, the only century the dates span, so every input has
 * exactly one reading.
 */
import { type Generator, tidy, uniform, ValueError } from '@axon/tensor';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIRST_DAY = Date.UTC(1950, 0, 1) / 86_400_000;
const DAYS = Date.UTC(2050, 0, 1) / 86_400_000 - FIRST_DAY;

/** A calendar date. */
export interface CalendarDate {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
  /** 0 = Sunday. */
  weekday: number;
}

/** One example: the human-written date and its ISO 8601 form. */
export interface DatePair {
  human: string;
  iso: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const ordinal = (n: number) => {
  const tens = n % 100;
  return tens >= 11 && tens <= 13 ? `${n}th` : `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
};

/** The date `index` days after 1 January 1950 (index in [0, 36525)). */
export function dateAt(index: number): CalendarDate {
  if (!Number.isInteger(index) || index < 0 || index >= DAYS) {
    throw new ValueError(`dateAt: expected an integer day index in [0, ${DAYS}), got ${index}`);
  }
  const d = new Date((FIRST_DAY + index) * 86_400_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
}

/** The date's ISO 8601 form, YYYY-MM-DD. */
export function iso(d: CalendarDate): string {
  return `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
}

/** The ways of writing a date; `pick(n)` draws an integer in [0, n). */
const FORMATS: ((d: CalendarDate, pick: (n: number) => number) => string)[] = [
  (d) => `${ordinal(d.day)} of ${MONTHS[d.month - 1]} ${d.year}`,
  (d) => `${MONTHS[d.month - 1]} ${d.day}, ${d.year}`,
  (d) => `${d.day} ${MONTHS[d.month - 1]} ${d.year}`,
  (d) => `${pad2(d.day)}/${pad2(d.month)}/${pad2(d.year % 100)}`,
  (d) => `${d.day}/${d.month}/${d.year}`,
  (d) => `${pad2(d.day)}.${pad2(d.month)}.${d.year}`,
  (d) => `${MONTHS[d.month - 1].slice(0, 3)} ${d.day} ${d.year}`,
  (d) => `${WEEKDAYS[d.weekday].slice(0, 3)} ${d.day} ${MONTHS[d.month - 1].slice(0, 3)} ${d.year}`,
  (d) => `${WEEKDAYS[d.weekday]}, ${MONTHS[d.month - 1]} ${ordinal(d.day)}, ${d.year}`,
  (d) => `${d.day} ${MONTHS[d.month - 1].toLowerCase()} ${pad2(d.year % 100)}`,
  (d) => `${MONTHS[d.month - 1].toUpperCase()} ${d.day} ${d.year}`,
  (d, pick) => `the ${ordinal(d.day)} of ${MONTHS[d.month - 1]}${pick(2) ? ',' : ''} ${d.year}`,
];

/** How many days the dates span (1950-01-01 … 2049-12-31): day indices are [0, DATE_DAYS). */
export const DATE_DAYS = DAYS;

/** Every character an input may hold, in a fixed order (ids 1 …; 0 is padding). */
export const SOURCE_CHARS = [
  ...new Set([
    ...' ,./0123456789',
    ...MONTHS.join(''),
    ...WEEKDAYS.join(''),
    ...MONTHS.join('').toLowerCase(),
  ]),
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
].filter((c, i, all) => all.indexOf(c) === i);
/** Output characters: after the padding, begin and end ids 0, 1, 2. */
export const TARGET_CHARS = [...'0123456789-'];

/**
 * The ids a model reads and writes, shared by everything that trains on date pairs (the example,
 * the CLI) so that a model one saves the other reads: input characters 1 … (0 pads); output 0
 * pad, 1 begin, 2 end, then the target characters 3 ….
 */
export const DATE_PAD = 0;
export const DATE_BOS = 1;
export const DATE_EOS = 2;
const sourceId = new Map(SOURCE_CHARS.map((c, i) => [c, i + 1]));

/** A written date's ids (a character outside SOURCE_CHARS reads as padding). */
export const encodeDateSource = (human: string): number[] =>
  [...human].map((c) => sourceId.get(c) ?? DATE_PAD);
/** An ISO date's ids, between the begin and end ids. */
export const encodeDateTarget = (iso: string): number[] => [
  DATE_BOS,
  ...[...iso].map((c) => TARGET_CHARS.indexOf(c) + 3),
  DATE_EOS,
];
/** The text of output ids (without begin and end); an id that is no character reads '?'. */
export const decodeDateTarget = (ids: readonly number[]): string =>
  ids.map((i) => TARGET_CHARS[i - 3] ?? '?').join('');

/**
 * `count` pairs drawn from the generator: a day uniformly among those not in `exclude` (day
 * indices), a format uniformly. With `distinct`, no day is drawn twice (for a test set). Returns
 * the days used, so that a test set's days can be kept out of the training set.
 */
export function datePairs(
  count: number,
  generator: Generator,
  options: { exclude?: ReadonlySet<number>; distinct?: boolean } = {},
): { pairs: DatePair[]; days: Set<number> } {
  if (!Number.isInteger(count) || count < 0) {
    throw new ValueError(`datePairs: expected count a non-negative integer, got ${count}`);
  }
  const exclude = options.exclude ?? new Set<number>();
  let excluded = 0;
  for (const day of exclude) if (Number.isInteger(day) && day >= 0 && day < DAYS) excluded++;
  const available = DAYS - excluded;
  if (options.distinct ? count > available : count > 0 && available === 0) {
    throw new ValueError(
      `datePairs: expected at most ${available} ${options.distinct ? 'distinct ' : ''}days outside exclude, got count ${count}`,
    );
  }
  let u: ArrayLike<number> = [];
  let k = 0;
  const pick = (n: number) => {
    if (k >= u.length) {
      u = tidy(() => uniform([4096], 0, 1, { generator }).dataSync());
      k = 0;
    }
    return Math.min(n - 1, Math.floor(u[k++] * n));
  };
  const days = new Set<number>();
  const pairs: DatePair[] = [];
  while (pairs.length < count) {
    const day = pick(DAYS);
    if (exclude.has(day) || (options.distinct && days.has(day))) continue;
    days.add(day);
    const d = dateAt(day);
    pairs.push({ human: FORMATS[pick(FORMATS.length)](d, pick), iso: iso(d) });
  }
  return { pairs, days };
}
