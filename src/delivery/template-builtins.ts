/**
 * The reference's built-in template variables: `current_time`, `current_time_<IANA tz>`,
 * `current_weekday`, `current_weekday_<IANA tz>`. Time zones come from Intl (ICU tzdata).
 */

const TIME_PREFIX = "current_time";
const WEEKDAY_PREFIX = "current_weekday";
const TZ_IN_TEMPLATE = /\{\{\s*(?:current_time|current_weekday)_([^|\s}]+)/;

/**
 * The zone named by the first `current_time_<tz>`/`current_weekday_<tz>` in a string: the
 * reference renders a bare `{{current_time}}`/`{{current_weekday}}` in that zone too.
 */
export function defaultZoneOf(template: string): string | null {
  return TZ_IN_TEMPLATE.exec(template)?.[1]?.trim() ?? null;
}

/**
 * The value of a built-in variable, or null when the path is not a built-in or names an
 * unknown zone (the caller then treats it as a missing value, so fallbacks still apply).
 */
export function resolveBuiltin(path: string, now: Date, defaultZone: string | null): string | null {
  if (path === TIME_PREFIX) {
    return (defaultZone && zonedIso(now, defaultZone)) || now.toISOString();
  }
  if (path === WEEKDAY_PREFIX) {
    return (defaultZone && weekday(now, defaultZone)) || weekday(now, "UTC");
  }
  if (path.startsWith(`${TIME_PREFIX}_`)) return zonedIso(now, path.slice(TIME_PREFIX.length + 1));
  if (path.startsWith(`${WEEKDAY_PREFIX}_`)) {
    return weekday(now, path.slice(WEEKDAY_PREFIX.length + 1));
  }
  return null;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A cached formatter for a zone; null for names Intl (or Python's zoneinfo) would not accept. */
function formatterFor(zone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(zone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat | null = null;
  // Intl also accepts raw offsets such as "+05:30"; zoneinfo keys always start with a letter.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        weekday: "long",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      formatter = null;
    }
  }
  if (formatters.size > 500) formatters.clear();
  formatters.set(zone, formatter);
  return formatter;
}

function partsIn(now: Date, zone: string): Record<string, string> | null {
  const formatter = formatterFor(zone);
  if (!formatter) return null;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(now)) parts[part.type] = part.value;
  return parts;
}

/** English weekday name ("Thursday") of an instant in a zone; null for an unknown zone. */
export function weekday(now: Date, zone: string): string | null {
  return partsIn(now, zone)?.weekday ?? null;
}

/**
 * ISO 8601 local time in a zone with its UTC offset, shaped like `toISOString()`:
 * "2026-07-02T21:44:14.000+05:30". Null for an unknown zone.
 */
export function zonedIso(now: Date, zone: string): string | null {
  const p = partsIn(now, zone);
  if (!p) return null;
  const [year, month, day] = [Number(p.year), Number(p.month), Number(p.day)];
  const [hour, minute, second] = [Number(p.hour), Number(p.minute), Number(p.second)];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const wholeSeconds = Math.floor(now.getTime() / 1000) * 1000;
  const offsetMinutes = Math.round((wallAsUtc - wholeSeconds) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const millis = String(now.getUTCMilliseconds()).padStart(3, "0");
  const date = `${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}`;
  return `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}.${millis}${offset}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
