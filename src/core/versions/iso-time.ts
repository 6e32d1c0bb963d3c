// ISO-8601 timestamps as version digits: nanoseconds since the Unix epoch, exact. Nanoseconds and
// not microseconds, because SQL Server's datetime2(7) and Oracle's TIMESTAMP(9) keep 100 ns and
// 1 ns steps: cut to microseconds, two updates 800 ns apart would tie and the second would be
// refused as `duplicate`. 20 digits of nanoseconds reach the year 5138.
//
// The offset is applied (`+02:00`, `+0200`, PostgreSQL's `+02`, `Z`); a timestamp without one is
// read as UTC, as Debezium writes its ZonedTimestamp and ISO strings in UTC. Dates that do not
// exist (February 30th, hour 24:00:01) and instants before 1970 UTC are refused.

const DATE_TIME = String.raw`(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?`;
const OFFSET = String.raw`(?:([zZ])|([+-])(\d{2})(?::?(\d{2}))?)?`;
const ISO = new RegExp(`^${DATE_TIME}${OFFSET}$`);

/** Nanoseconds since the Unix epoch of an ISO-8601 timestamp, as digits; undefined if it is none. */
export function isoToNanos(text: string): string | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // No test of the year: a 1969 local time west of Greenwich can be a 1970 instant, and every
  // instant before the epoch is refused below (years under 100 fail the rollover test, as
  // Date.UTC maps them to 19xx).
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls February 30th over into March: a date that does not exist comes back changed.
  // Any rollover moves the month (a day past the month's end or 0 moves it by one, a month past 12
  // or 0 by a year and lands on another month), so the year and day tests never decide alone.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  // Stryker disable next-line StringLiteral: equivalent, Number("") is 0 as well
  const offsetHours = Number(m[10] ?? "0");
  // Stryker disable next-line StringLiteral: equivalent, Number("") is 0 as well
  const offsetMinutes = Number(m[11] ?? "0");
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offsetMs = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const ms = date.getTime() - offsetMs;
  if (ms < 0) return undefined;
  return (BigInt(ms) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0"))).toString();
}
