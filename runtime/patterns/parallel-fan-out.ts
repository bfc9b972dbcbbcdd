import { parseJsonReply, stringListOf } from './parse-json-reply.ts';
import type { Pattern } from './pattern-types.ts';
import { reactLoop } from './react.ts';

const maxSubtasks = 4;

/**
 * Fan out, fan in. The planner (role `planner`) splits the request into 2–4 independent
 * subtasks `{"subtasks": ["…"]}`; each runs at the same time as a tool-using ReAct loop (role
 * `worker`); the synthesizer (role `synthesizer`) merges their results into the streamed answer.
 * A split that does not parse runs the request itself as the one subtask.
 */
export const parallelFanOut: Pattern = async ({ messages, query, maxIterations, steps }) => {
  const splitReply = await steps.callModel(
    {
      role: 'planner',
      messages: [
        ...messages,
        {
          role: 'user',
          content:
            `Split the request above into 2 to ${maxSubtasks} independent subtasks that can be worked on at the same time. ` +
            'Reply with JSON only: {"subtasks": ["subtask 1", "subtask 2"]}.',
        },
      ],
    },
    { streamText: false },
  );
  const subtasks = stringListOf(parseJsonReply(splitReply.text), 'subtasks', maxSubtasks) ?? [query];

  // allSettled, not all: a failed subtask must not end the run while the others still call
  // models and tools, and send tool events to a caller whose run already ended.
  const settled = await Promise.allSettled(
    subtasks.map((subtask) =>
      reactLoop({
        messages: [...messages, { role: 'user', content: `Work on this subtask of the request: ${subtask}` }],
        maxIterations,
        steps,
        role: 'worker',
        streamText: false,
      }),
    ),
  );
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const results = settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : ''));

  const report = subtasks.map((subtask, i) => `Subtask ${i + 1} (${subtask}): ${results[i]}`).join('\n');
  await steps.callModel(
    {
      role: 'synthesizer',
      messages: [
        ...messages,
        { role: 'user', content: `Results of the subtasks:\n${report}\n\nCombine them into one answer to: ${query}` },
      ],
    },
    { streamText: true },
  );
};
