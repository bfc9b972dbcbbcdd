import type { AgentSummary } from '../api/agents-api.ts';

const labels: Record<AgentSummary['status'], string> = {
  draft: 'Draft',
  deployed: 'Deployed',
  paused: 'Paused',
};

/** An agent's lifecycle state, as a word and a colour (the word alone carries the meaning). */
export function StateBadge(props: { status: AgentSummary['status'] }) {
  return <span class={`badge badge-${props.status}`}>{labels[props.status]}</span>;
}
