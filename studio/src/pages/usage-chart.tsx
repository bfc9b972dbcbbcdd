import { formatCount } from './describe-rate-limit.ts';
import { layoutUsageChart, type UsageDay, type UsageScale } from './layout-usage-chart.ts';

/**
 * Runs per day as an SVG bar chart against the daily limit, drawn here (no chart library; the CSP
 * refuses inline styles, so colours come from classes in org-pages.css). The chart is an image
 * with a name and a summary; the table beside it carries the numbers for those who cannot see it.
 */
export function UsageChart(props: {
  days: readonly UsageDay[];
  dailyLimit: number;
  scale: UsageScale;
  width: number;
  height: number;
}) {
  const layout = layoutUsageChart(props);
  const { plot } = layout;
  const today = props.days.at(-1);
  const total = props.days.reduce((sum, day) => sum + day.requests, 0);
  return (
    <svg
      class="usage-chart"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="img"
      aria-labelledby="usage-chart-title usage-chart-desc"
    >
      <title id="usage-chart-title">Runs per day, last {props.days.length} days</title>
      <desc id="usage-chart-desc">
        {formatCount(total)} runs in all; today {formatCount(today?.requests ?? 0)}; daily limit{' '}
        {formatCount(props.dailyLimit)}. The table below lists every day.
      </desc>
      {layout.ticks.map((tick) => (
        <g key={tick.runs} class="tick">
          <line x1={plot.left} x2={plot.right} y1={tick.y} y2={tick.y} />
          <text x={plot.left - 6} y={tick.y} text-anchor="end" dominant-baseline="middle">
            {formatCount(tick.runs)}
          </text>
        </g>
      ))}
      {layout.bars.map((bar) => (
        <rect
          key={bar.date}
          class={bar === layout.bars.at(-1) ? 'bar bar-today' : 'bar'}
          x={bar.x}
          y={bar.y}
          width={bar.width}
          height={bar.height}
          data-date={bar.date}
          data-runs={bar.requests}
        >
          <title>
            {bar.date}: {formatCount(bar.requests)} runs, {formatCount(bar.tokens)} tokens
          </title>
        </rect>
      ))}
      {layout.limitY !== undefined && (
        <g class="limit">
          <line x1={plot.left} x2={plot.right} y1={layout.limitY} y2={layout.limitY} />
          <text x={plot.right} y={layout.limitY - 4} text-anchor="end">
            daily limit {formatCount(props.dailyLimit)}
          </text>
        </g>
      )}
      {layout.limitY === undefined && (
        <text class="limit-above" x={plot.right} y={plot.top - 2} text-anchor="end">
          daily limit {formatCount(props.dailyLimit)}: above this scale
        </text>
      )}
      {layout.dateLabels.map((label) => (
        <text key={label.date} class="date-label" x={label.x} y={layout.height - 8} text-anchor="middle">
          {label.text}
        </text>
      ))}
    </svg>
  );
}
