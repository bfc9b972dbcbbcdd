import { describe, expect, it } from 'vitest';
import { layoutUsageChart, niceCeiling, shortDate, type UsageDay } from './layout-usage-chart.ts';

const aDay = (date: string, requests: number, tokens = requests * 100): UsageDay => ({ date, requests, tokens });
const size = { width: 640, height: 240 };
// The plot of a 640 × 240 chart: left 44, right 628, top 14, bottom 214 (margins in layout-usage-chart.ts).
const plotBottom = 214;
const plotHeight = 200;

describe('layoutUsageChart, the geometry of the runs-per-day chart', () => {
  it('scales to the daily limit and draws the limit line at the top', () => {
    const layout = layoutUsageChart({
      days: [aDay('2026-12-01', 250), aDay('2026-12-02', 500)],
      dailyLimit: 1000,
      scale: 'daily-limit',
      ...size,
    });

    expect(layout.maxRuns).toBe(1000);
    expect(layout.limitY).toBe(14);
    expect(layout.bars.map((bar) => bar.height)).toEqual([plotHeight / 4, plotHeight / 2]);
    expect(layout.bars.map((bar) => bar.y + bar.height)).toEqual([plotBottom, plotBottom]);
    expect(layout.ticks).toEqual([
      { runs: 0, y: plotBottom },
      { runs: 500, y: 114 },
      { runs: 1000, y: 14 },
    ]);
  });

  it('keeps a day with few runs visible against a large limit, and a day without runs flat', () => {
    const layout = layoutUsageChart({
      days: [aDay('2026-12-01', 0), aDay('2026-12-02', 1)],
      dailyLimit: 1000,
      scale: 'daily-limit',
      ...size,
    });

    expect(layout.bars.map((bar) => bar.height)).toEqual([0, 2]);
  });

  it('scales to the busiest day, rounded up, and leaves out a limit line above the scale', () => {
    const layout = layoutUsageChart({
      days: [aDay('2026-12-01', 3), aDay('2026-12-02', 7)],
      dailyLimit: 1000,
      scale: 'busiest-day',
      ...size,
    });

    expect(layout.maxRuns).toBe(10);
    expect(layout.bars[1]?.height).toBeCloseTo(plotHeight * 0.7);
    expect(layout.limitY).toBeUndefined();
  });

  it('draws the limit line on the busiest-day scale when the limit lies within it', () => {
    const layout = layoutUsageChart({
      days: [aDay('2026-12-01', 5)],
      dailyLimit: 5,
      scale: 'busiest-day',
      ...size,
    });

    expect(layout.maxRuns).toBe(5);
    expect(layout.limitY).toBe(14);
  });

  it('gives every day a bar of the same width, in order, within the plot', () => {
    const days = Array.from({ length: 90 }, (_, index) => aDay(`2026-09-${index}`, index));

    const layout = layoutUsageChart({ days, dailyLimit: 1000, scale: 'daily-limit', ...size });

    expect(layout.bars).toHaveLength(90);
    expect(new Set(layout.bars.map((bar) => bar.width)).size).toBe(1);
    expect(layout.bars.every((bar, index) => index === 0 || bar.x > (layout.bars[index - 1]?.x ?? 0))).toBe(true);
    expect(layout.bars[0]?.x).toBeGreaterThanOrEqual(44);
    const last = layout.bars.at(-1);
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeLessThanOrEqual(628 + 1e-9);
  });

  it('labels every day of a week on a wide chart', () => {
    const days = Array.from({ length: 7 }, (_, index) => aDay(`2026-11-2${index}`, 1));

    const labels = layoutUsageChart({ days, dailyLimit: 1000, scale: 'daily-limit', ...size }).dateLabels;

    expect(labels.map((label) => label.text)).toEqual([
      'Nov 20',
      'Nov 21',
      'Nov 22',
      'Nov 23',
      'Nov 24',
      'Nov 25',
      'Nov 26',
    ]);
  });

  it('labels a week every other day on a phone-narrow chart, evenly', () => {
    const days = Array.from({ length: 7 }, (_, index) => aDay(`2026-11-2${index}`, 1));

    const labels = layoutUsageChart({
      days,
      dailyLimit: 1000,
      scale: 'daily-limit',
      width: 360,
      height: 220,
    }).dateLabels;

    expect(labels.map((label) => label.text)).toEqual(['Nov 20', 'Nov 22', 'Nov 24', 'Nov 26']);
  });

  it('labels a month at equal steps, the first and the last day among them, no two labels closer than 56 units', () => {
    const days = Array.from({ length: 30 }, (_, index) => aDay(`2026-11-${String(index + 1).padStart(2, '0')}`, 1));

    const labels = layoutUsageChart({ days, dailyLimit: 1000, scale: 'daily-limit', ...size }).dateLabels;

    expect(labels.map((label) => label.text)).toEqual([
      'Nov 1',
      'Nov 4',
      'Nov 7',
      'Nov 10',
      'Nov 13',
      'Nov 16',
      'Nov 19',
      'Nov 22',
      'Nov 25',
      'Nov 30',
    ]);
    const gaps = labels.slice(1).map((label, index) => label.x - (labels[index]?.x ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(56);
  });

  it('lays out a period of one day', () => {
    const layout = layoutUsageChart({ days: [aDay('2026-12-02', 4)], dailyLimit: 1000, scale: 'busiest-day', ...size });

    expect(layout.bars).toHaveLength(1);
    expect(layout.dateLabels.map((label) => label.text)).toEqual(['Dec 2']);
    expect(layout.ticks.map((tick) => tick.runs)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [1000, 1000],
    [1001, 2000],
  ])('rounds %i up to %i', (value, expected) => {
    expect(niceCeiling(value)).toBe(expected);
  });
});

describe('shortDate', () => {
  it('reads a UTC day as written', () => {
    expect(shortDate('2026-01-01')).toBe('Jan 1');
  });
});
