/** A change window of a policy rule: local days and hours in a time zone. */
export interface ChangeWindow {
  days: string[];
  /** Local time `HH:MM`, included. */
  from: string;
  /** Local time `HH:MM`, excluded; earlier than `from` means the window runs past midnight. */
  to: string;
  timeZone: string;
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The local weekday (`mon`...) and minutes after midnight of an instant in a time zone. */
export function localTime(
  at: Date,
  timeZone: string,
): { day: string; minutes: number; text: string } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("weekday").toLowerCase().slice(0, 3);
  const minutes = Number(part("hour")) * 60 + Number(part("minute"));
  return { day, minutes, text: `${day} ${part("hour")}:${part("minute")} ${timeZone}` };
}

/** Tells whether an instant falls inside a window. The day is the local day of the instant. */
export function isInWindow(window: ChangeWindow, at: Date): boolean {
  const local = localTime(at, window.timeZone);
  if (!window.days.includes(local.day)) return false;

  const from = toMinutes(window.from);
  const to = toMinutes(window.to);
  return from <= to
    ? local.minutes >= from && local.minutes < to
    : local.minutes >= from || local.minutes < to;
}

/** Describes a window for messages: `mon-fri 09:00-17:00 Europe/Berlin`. */
export function describeWindow(window: ChangeWindow): string {
  return `${window.days.join(",")} ${window.from}-${window.to} ${window.timeZone}`;
}

/** The weekday names windows use. */
export const WEEKDAYS: readonly string[] = DAY_NAMES;

function toMinutes(time: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
