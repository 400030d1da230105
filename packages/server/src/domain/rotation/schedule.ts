import { InvalidParameterException } from "../../errors/catalog.js";
import type { RotationRules } from "../secrets/records.js";

/**
 * RotationRules as AWS Secrets Manager reads them (user guide, "Schedule expressions"): either
 * `AutomaticallyAfterDays` (1–1000) or a `ScheduleExpression` — `rate(N hour[s]|day[s])` (4 hours to
 * 999 days) or `cron(0 H DoM Mon DoW *)` in UTC — and an optional window `Duration` (`Nh`). Windows
 * open on the hour: at midnight for `rate()`/`AutomaticallyAfterDays`, at the cron's hour for
 * `cron()`; they close after one hour (schedules in hours) or at the end of the UTC day (in days),
 * or after `Duration`, which must not reach into the next window or the next UTC day.
 */

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export interface RotationWindow {
  /** When the window opens (NextRotationDate). */
  start: number;
  /** When it closes; a rotation found due after this waits for the next window. */
  end: number;
}

type Schedule =
  | { kind: "days"; days: number }
  | { kind: "hours"; hours: number }
  | { kind: "cron"; cron: Cron; hourly: boolean };

export interface ParsedRules {
  schedule: Schedule;
  /** Window length in hours, if `Duration` was given. */
  durationHours: number | undefined;
}

const invalid = (message: string) => new InvalidParameterException(message);

/** Validates RotationRules as RotateSecret receives them; throws AWS-style InvalidParameterException. */
export function parseRotationRules(rules: RotationRules): ParsedRules {
  const { automaticallyAfterDays: days, scheduleExpression: expression, duration } = rules;
  if (days !== undefined && expression !== undefined) {
    throw invalid("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
  }
  let schedule: Schedule;
  if (days !== undefined) {
    if (!Number.isInteger(days) || days < 1 || days > 1000) {
      throw invalid("RotationRules.AutomaticallyAfterDays must be within 1-1000.");
    }
    schedule = { kind: "days", days };
  } else if (expression !== undefined) {
    schedule = parseScheduleExpression(expression);
  } else {
    throw invalid("RotationRules must contain AutomaticallyAfterDays or ScheduleExpression.");
  }
  let durationHours: number | undefined;
  if (duration !== undefined) {
    const match = /^([0-9]+)h$/.exec(duration);
    durationHours = match ? Number(match[1]) : Number.NaN;
    if (!(durationHours >= 1 && durationHours <= 24)) {
      throw invalid(`The Duration ${duration} isn't valid. Specify a number of hours from 1h to 24h.`);
    }
    const startHour = schedule.kind === "cron" ? Math.min(...schedule.cron.hours) : 0;
    const hoursBetween = schedule.kind === "hours" ? schedule.hours : undefined;
    if (hoursBetween !== undefined && durationHours > hoursBetween) {
      throw invalid("The rotation window must not extend into the next rotation window.");
    }
    if (hoursBetween === undefined && startHour + durationHours > 24) {
      throw invalid("The rotation window must not extend into the next UTC day.");
    }
  }
  return { schedule, durationHours };
}

function parseScheduleExpression(expression: string): Schedule {
  const rate = /^rate\(\s*([0-9]+)\s+(hour|hours|day|days)\s*\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (rate[2]?.startsWith("hour")) {
      if (value < 4 || value > 23) {
        throw invalid(
          `The schedule expression ${expression} isn't valid. A rate in hours must be from 4 to 23 hours.`,
        );
      }
      return { kind: "hours", hours: value };
    }
    if (value < 1 || value > 999) {
      throw invalid(
        `The schedule expression ${expression} isn't valid. A rate in days must be from 1 to 999 days.`,
      );
    }
    return { kind: "days", days: value };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const parsed = parseCron(cron[1] ?? "", expression);
    return { kind: "cron", cron: parsed, hourly: parsed.hours.length > 1 };
  }
  throw invalid(
    `The schedule expression ${expression} isn't valid. Use a rate() or cron() expression, for example rate(10 days) or cron(0 16 1,15 * ? *).`,
  );
}

// ---- cron(Minutes Hours Day-of-month Month Day-of-week Year), the subset Secrets Manager accepts ----

interface Cron {
  hours: number[];
  /** Days of month 1–31, or "last" for L. Undefined: `?` (the day-of-week decides). */
  daysOfMonth: Array<number | "L"> | undefined;
  months: number[];
  /** Days of week 1–7 (SUN–SAT), or nth / last weekday of the month. Undefined: `?`. */
  daysOfWeek: Array<{ day: number; nth?: number; last?: boolean }> | undefined;
}

const monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function parseCron(body: string, expression: string): Cron {
  const bad = (why: string) => invalid(`The schedule expression ${expression} isn't valid. ${why}`);
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    throw bad("A cron expression has six fields: cron(0 Hours Day-of-month Month Day-of-week *).");
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (minutes !== "0") throw bad("The minutes field must be 0: rotation windows open on the hour.");
  if (year !== "*") throw bad("The year field must be *.");
  if ((dom === "?") === (dow === "?")) {
    throw bad("Specify ? in exactly one of the Day-of-month and Day-of-week fields.");
  }
  const numberField = (text: string, min: number, max: number, names: string[] = [], offset = 1) =>
    expand(
      text,
      min,
      max,
      (token) => {
        const index = names.indexOf(token.toUpperCase());
        if (index >= 0) return index + offset;
        if (!/^[0-9]+$/.test(token)) throw bad(`${token} isn't a valid value.`);
        return Number(token);
      },
      bad,
    );
  const cron: Cron = {
    hours: numberField(hours, 0, 23),
    months: numberField(month, 1, 12, monthNames),
    daysOfMonth: undefined,
    daysOfWeek: undefined,
  };
  if (dom !== "?") {
    cron.daysOfMonth = dom === "L" ? ["L"] : numberField(dom, 1, 31);
  } else {
    const last = /^([0-9A-Za-z]+)L$/.exec(dow);
    const nth = /^([0-9A-Za-z]+)#([1-5])$/.exec(dow);
    const dayOf = (token: string) => numberField(token, 1, 7, dayNames)[0] as number;
    if (dow === "L") cron.daysOfWeek = [{ day: 7, last: true }];
    else if (last) cron.daysOfWeek = [{ day: dayOf(last[1] ?? ""), last: true }];
    else if (nth) cron.daysOfWeek = [{ day: dayOf(nth[1] ?? ""), nth: Number(nth[2]) }];
    else cron.daysOfWeek = numberField(dow, 1, 7, dayNames).map((day) => ({ day }));
  }
  return cron;
}

/** `*`, `a`, `a-b`, `a/step`, `a-b/step`, `*\/step`, and lists of those. */
function expand(
  text: string,
  min: number,
  max: number,
  value: (token: string) => number,
  bad: (why: string) => Error,
): number[] {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad(`${part} isn't a valid value.`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [value(a), value(b)];
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    if (from < min || to > max || from > to) throw bad(`${part} is out of range (${min}-${max}).`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function cronMatchesDay(cron: Cron, date: Date): boolean {
  const day = date.getUTCDate();
  const month = date.getUTCMonth() + 1;
  if (!cron.months.includes(month)) return false;
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), month, 0)).getUTCDate();
  if (cron.daysOfMonth !== undefined) {
    return cron.daysOfMonth.some((d) => (d === "L" ? day === lastDay : d === day));
  }
  const weekday = date.getUTCDay() + 1;
  return (cron.daysOfWeek ?? []).some((d) => {
    if (d.day !== weekday) return false;
    if (d.nth !== undefined) return Math.ceil(day / 7) === d.nth;
    if (d.last) return day + 7 > lastDay;
    return true;
  });
}

/** The first cron hour strictly after `after`, within a year (Secrets Manager's cron has year `*`). */
function nextCronStart(cron: Cron, after: number): number | undefined {
  let t = Math.floor(after / hourMs) * hourMs + hourMs;
  for (let i = 0; i < 366 * 24 + 24; i++, t += hourMs) {
    const date = new Date(t);
    if (cron.hours.includes(date.getUTCHours()) && cronMatchesDay(cron, date)) return t;
  }
  return undefined;
}

const startOfDay = (t: number) => Math.floor(t / dayMs) * dayMs;

/**
 * The next rotation window after a rotation at `lastRotatedAt` (or, before any, configured at
 * `base`): for days, the UTC day that many days later; for hours, that many hours later on the
 * hour; for cron, its next matching hour after `base`.
 */
export function nextRotationWindow(rules: ParsedRules, base: number): RotationWindow | undefined {
  const { schedule, durationHours } = rules;
  let start: number | undefined;
  let defaultLength: number;
  if (schedule.kind === "days") {
    start = startOfDay(base) + schedule.days * dayMs;
    defaultLength = dayMs;
  } else if (schedule.kind === "hours") {
    start = Math.floor(base / hourMs) * hourMs + schedule.hours * hourMs;
    defaultLength = hourMs;
  } else {
    start = nextCronStart(schedule.cron, base);
    if (start === undefined) return undefined;
    defaultLength = schedule.hourly ? hourMs : startOfDay(start) + dayMs - start;
  }
  const length = durationHours !== undefined ? durationHours * hourMs : defaultLength;
  // A window never reaches into the next UTC day (parseRotationRules refuses such a Duration).
  return { start, end: Math.min(start + length, startOfDay(start) + dayMs) };
}

/** The window that holds `at`, if `at` falls in the one that opens at `start`. */
export function windowAt(rules: ParsedRules, start: number): RotationWindow {
  const { schedule, durationHours } = rules;
  const defaultLength =
    schedule.kind === "hours" || (schedule.kind === "cron" && schedule.hourly)
      ? hourMs
      : startOfDay(start) + dayMs - start;
  const length = durationHours !== undefined ? durationHours * hourMs : defaultLength;
  return { start, end: Math.min(start + length, startOfDay(start) + dayMs) };
}
