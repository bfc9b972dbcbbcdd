import type { McpServerView } from '../../../../api/schemas/mcp-server.ts';
import { ChoiceList } from './choice-list.tsx';
import type { StepProps } from './step-props.ts';
import { controlIds } from './wizard-steps.ts';

/**
 * Step 3's MCP servers: the org's servers, each a checkbox; the agent is offered a chosen
 * server's tools as `<server>__<tool>`. With none, a way to the page that adds them.
 */
export function McpServersChoice(props: StepProps & { mcpServers: McpServerView[] }) {
  const { form, update, errors } = props;
  if (props.mcpServers.length === 0) {
    return (
      <p class="hint">
        This org has no MCP tool servers yet. Add one on the <a href="/studio/mcp-servers">MCP servers page</a> to give
        agents its tools.
      </p>
    );
  }
  return (
    <ChoiceList
      id={controlIds.mcpServers}
      legend={`MCP servers (${form.mcpServers.length} chosen)`}
      kind="checkbox"
      selected={form.mcpServers}
      onChange={(mcpServers) => update({ mcpServers })}
      error={errors[controlIds.mcpServers]}
      choices={props.mcpServers.map((server) => ({
        name: server.name,
        description: `${server.url}: ${server.tools ? `tools ${server.tools.join(', ')}` : 'all its tools'}, offered as ${server.name}__<tool>.`,
      }))}
    />
  );
}
