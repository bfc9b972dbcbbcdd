/** One day of GET /orgs/{slug}/usage's `by_day`. */
export interface UsageDay {
  date: string;
  requests: number;
  tokens: number;
}

/**
 * What the chart's y axis reaches: the daily limit, so each bar reads as a share of what the org
 * may run (the honest default), or the busiest day, so that a few runs against a limit of 1,000
 * are more than a sliver.
 */
export type UsageScale = 'daily-limit' | 'busiest-day';

export interface UsageChartLayout {
  width: number;
  height: number;
  /** The plot area inside the axes' labels. */
  plot: { left: number; top: number; right: number; bottom: number };
  /** The run count at the top of the plot. */
  maxRuns: number;
  bars: (UsageDay & { x: number; y: number; width: number; height: number })[];
  /** Where the daily limit's line is drawn; undefined when the limit lies above the scale. */
  limitY: number | undefined;
  ticks: { runs: number; y: number }[];
  dateLabels: { date: string; text: string; x: number }[];
}

const margin = { left: 44, right: 12, top: 14, bottom: 26 };
// A day with runs always shows, however small its share of the scale.
const minimumBarHeight = 2;
// A date label ("Nov 26") is about 40 units wide at the chart's 12-unit font: one per 56 units leaves a gap.
const dateLabelSpacing = 56;
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The geometry of the runs-per-day bar chart, in SVG user units (pure: the page draws it). Days
 * are in the API's order, oldest first; every day of the period is a bar, days without runs too.
 */
export function layoutUsageChart(input: {
  days: readonly UsageDay[];
  dailyLimit: number;
  scale: UsageScale;
  width: number;
  height: number;
}): UsageChartLayout {
  const { days, dailyLimit, width, height } = input;
  const plot = { left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
  const busiest = Math.max(0, ...days.map((day) => day.requests));
  const maxRuns = input.scale === 'daily-limit' ? Math.max(dailyLimit, busiest, 1) : niceCeiling(Math.max(busiest, 1));
  const plotHeight = plot.bottom - plot.top;
  const yOf = (runs: number) => plot.bottom - (runs / maxRuns) * plotHeight;

  const slot = (plot.right - plot.left) / Math.max(days.length, 1);
  // A fifth of each slot is space between bars, but never less than a hairline of bar.
  const barWidth = Math.max(slot * 0.8, Math.min(slot, 1));
  const bars = days.map((day, index) => {
    const exact = (day.requests / maxRuns) * plotHeight;
    const barHeight = day.requests > 0 ? Math.max(exact, minimumBarHeight) : 0;
    return {
      ...day,
      x: plot.left + index * slot + (slot - barWidth) / 2,
      y: plot.bottom - barHeight,
      width: barWidth,
      height: barHeight,
    };
  });

  return {
    width,
    height,
    plot,
    maxRuns,
    bars,
    limitY: dailyLimit <= maxRuns ? yOf(dailyLimit) : undefined,
    ticks: ticksOf(maxRuns).map((runs) => ({ runs, y: yOf(runs) })),
    dateLabels: labelledIndexes(days.length, slot).map((index) => {
      const date = days[index]?.date ?? '';
      return { date, text: shortDate(date), x: plot.left + index * slot + slot / 2 };
    }),
  };
}

/** The smallest of 1, 2, 5 × 10^k that is at least `value`: a scale top a person reads at a glance. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

// Whole runs only. A top of 5, 50, 500… is split in fifths, any other even top in halves.
function ticksOf(maxRuns: number): number[] {
  const parts = /^50*$/.test(String(maxRuns)) ? 5 : maxRuns % 2 === 0 ? 2 : 1;
  return [...Array(parts + 1).keys()].map((part) => (maxRuns / parts) * part);
}

/**
 * Which days get a date label: every `step`-th day from the first, so the gaps between labels are
 * equal and at least `dateLabelSpacing` wide, and the last day, which takes the place of the label
 * before it when the two would be closer than that.
 */
function labelledIndexes(count: number, slotWidth: number): number[] {
  if (count === 0) return [];
  const minimumGapDays = Math.ceil(dateLabelSpacing / slotWidth);
  const step = Math.max(1, minimumGapDays);
  const indexes: number[] = [];
  for (let index = 0; index < count; index += step) indexes.push(index);
  const last = count - 1;
  const previous = indexes.at(-1) ?? 0;
  if (previous !== last) {
    if (indexes.length > 1 && last - previous < minimumGapDays) indexes.pop();
    indexes.push(last);
  }
  return indexes;
}

/** `2026-12-02` → `Dec 2`; read as written (a UTC day), never through the browser's time zone. */
export function shortDate(date: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  return `${monthNames[Number(match[1]) - 1] ?? match[1]} ${Number(match[2])}`;
}
