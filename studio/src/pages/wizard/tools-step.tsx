import type { McpServerView } from '../../../../api/schemas/mcp-server.ts';
import { ChoiceList } from './choice-list.tsx';
import { describeToolParameters } from './describe-tool-parameters.ts';
import { McpServersChoice } from './mcp-servers-choice.tsx';
import type { StepProps } from './step-props.ts';
import { controlIds } from './wizard-steps.ts';

/**
 * Step 3: the built-in tools the agent may call, each with what it does and its parameters, then
 * the org's MCP servers whose tools it may call.
 */
export function ToolsStep(props: StepProps & { mcpServers: McpServerView[] }) {
  const { form, update, errors } = props;
  return (
    <>
      <ChoiceList
        id={controlIds.tools}
        legend={`Built-in tools (${form.tools.length} chosen)`}
        kind="checkbox"
        selected={form.tools}
        onChange={(tools) => update({ tools })}
        error={errors[controlIds.tools]}
        choices={props.catalogue.tools.map((tool) => ({
          name: tool.name,
          description: tool.description,
          extra: <ToolParameters name={tool.name} schema={tool.parameters} />,
        }))}
      />
      <McpServersChoice {...props} />
    </>
  );
}

function ToolParameters(props: { name: string; schema: Record<string, unknown> }) {
  const parameters = describeToolParameters(props.schema);
  if (parameters.length === 0) return <p class="hint">No parameters.</p>;
  return (
    <details class="parameters">
      <summary>
        Parameters <span class="visually-hidden">of {props.name}</span> ({parameters.length})
      </summary>
      <dl>
        {parameters.map((parameter) => (
          <div key={parameter.name}>
            <dt>
              <code>{parameter.name}</code> <span class="hint">{parameter.type}</span>
              {parameter.isRequired && <span class="required"> required</span>}
            </dt>
            {parameter.description && <dd>{parameter.description}</dd>}
          </div>
        ))}
      </dl>
    </details>
  );
}
