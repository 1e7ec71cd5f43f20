import { describe, expect, it } from 'vitest';
import { durationMs, isDuration, parseDuration } from '../../domain/duration.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('parseDuration', () => {
  it.each([
    ['P30D', 30 * DAY],
    ['PT48H', 48 * HOUR],
    ['PT2S', 2 * SECOND],
    ['PT0.5S', 500],
    ['PT0.001S', 1],
    ['PT1.25S', 1250],
    ['P1W', 7 * DAY],
    ['P2W', 14 * DAY],
    ['P1DT12H', 36 * HOUR],
    ['PT90M', 90 * 60 * SECOND],
    ['PT1H30M', 90 * 60 * SECOND],
    ['P1DT2H3M4S', DAY + 2 * HOUR + 3 * 60 * SECOND + 4 * SECOND],
    ['P1M', 30 * DAY],
    ['P1Y', 365 * DAY],
    ['P0D', 0],
    ['PT0S', 0],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(isDuration(text)).toBe(true);
    expect(durationMs(text)).toBe(ms);
  });

  it('tells minutes (after T) from months (before T)', () => {
    expect(parseDuration('PT1M')).toBe(60 * SECOND);
    expect(parseDuration('P1M')).toBe(30 * DAY);
  });

  it.each([
    'P',
    'PT',
    '30D',
    'P1.5D',
    '',
    'PT1H30',
    'P1DT',
    'T1H',
    'p30d',
    'P30d',
    'P-1D',
    'P 30D',
    ' P30D',
    'P30D ',
    'PT1.5H',
    'PT0.0001S',
    'P1H',
    'PT1D',
    'P30DT',
    'P1D1W',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(isDuration(text)).toBe(false);
  });
});

describe('durationMs', () => {
  it('throws a RangeError naming the text when it is not a duration', () => {
    expect(() => durationMs('30 days')).toThrow(RangeError);
    expect(() => durationMs('30 days')).toThrow(/30 days/);
    expect(() => durationMs('')).toThrow(RangeError);
    expect(() => durationMs('PT')).toThrow(RangeError);
  });
});
