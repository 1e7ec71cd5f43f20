/** PostNord's event times: local wall-clock time without an offset, read in Europe/Stockholm. */

const NORDIC_TIME_ZONE = 'Europe/Stockholm';
const zoneParts = new Intl.DateTimeFormat('en-US', {
  timeZone: NORDIC_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** How far Stockholm's wall clock is ahead of UTC at instant `utcMs` (1 h in winter, 2 h in summer). */
function stockholmOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(zoneParts.formatToParts(new Date(utcMs)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(utcMs / 1000) * 1000;
}

/**
 * PostNord sends local (Swedish/Danish/Norwegian) wall-clock time without an offset, e.g.
 * `2026-11-02T08:15:00` = 07:15 UTC. Read it in Europe/Stockholm, whatever the server's zone; a time
 * with an offset or `Z` is taken as given.
 */
export function nordicTime(eventTime: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(eventTime.trim());
  if (!m) {
    const d = new Date(eventTime);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // The offset at the guessed instant, corrected once for the hours around a DST switch.
  let utc = wall - stockholmOffsetMs(wall);
  utc = wall - stockholmOffsetMs(utc);
  return Number.isNaN(utc) ? null : new Date(utc);
}
