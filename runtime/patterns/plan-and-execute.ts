import type { ChatMessage } from '../router/model-types.ts';
import { parseJsonReply, stringListOf } from './parse-json-reply.ts';
import type { Pattern } from './pattern-types.ts';
import { reactLoop } from './react.ts';

const maxPlanSteps = 8;

/**
 * Plan, execute, synthesise. The planner (role `planner`) writes a JSON plan
 * `{"steps": ["…"]}`; each step runs as a tool-using ReAct loop (role `worker`) that sees the
 * results of the steps before it; the synthesizer (role `synthesizer`) writes the answer, which
 * is streamed. A plan that does not parse becomes a single step: the user's request.
 */
export const planAndExecute: Pattern = async ({ messages, query, maxIterations, steps }) => {
  const toolNames = steps.tools.map((tool) => tool.name).join(', ') || 'none';
  const planReply = await steps.callModel(
    {
      role: 'planner',
      messages: [
        ...messages,
        {
          role: 'user',
          content:
            `Plan how to answer the request above in at most ${maxPlanSteps} steps. Tools available: ${toolNames}. ` +
            'Reply with JSON only: {"steps": ["step 1", "step 2"]}.',
        },
      ],
    },
    { streamText: false },
  );
  const plan = stringListOf(parseJsonReply(planReply.text), 'steps', maxPlanSteps) ?? [query];

  const results: string[] = [];
  for (const [index, step] of plan.entries()) {
    const done = results.map((result, i) => `Step ${i + 1} (${plan[i]}): ${result}`).join('\n');
    const stepMessages: ChatMessage[] = [
      ...messages,
      {
        role: 'user',
        content: `${done ? `Results so far:\n${done}\n\n` : ''}Now carry out step ${index + 1} of the plan: ${step}`,
      },
    ];
    results.push(await reactLoop({ messages: stepMessages, maxIterations, steps, role: 'worker', streamText: false }));
  }

  const report = plan.map((step, i) => `Step ${i + 1} (${step}): ${results[i]}`).join('\n');
  await steps.callModel(
    {
      role: 'synthesizer',
      messages: [
        ...messages,
        { role: 'user', content: `The plan was carried out:\n${report}\n\nNow answer the original request: ${query}` },
      ],
    },
    { streamText: true },
  );
};
