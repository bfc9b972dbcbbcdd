import type { Pattern } from './pattern-types.ts';
import { reactLoop } from './react.ts';

/**
 * A fixed three-stage pipeline, each stage with its own role so it can use its own model:
 * `stage:analyze` works out what is asked, `stage:process` does the work (with tools),
 * `stage:synthesize` writes the streamed answer from the first two.
 */
export const pipeline: Pattern = async ({ messages, query, maxIterations, steps }) => {
  const analysis = await steps.callModel(
    {
      role: 'stage:analyze',
      messages: [
        ...messages,
        { role: 'user', content: 'Analyze the request above: what exactly is asked, and what is needed to answer it?' },
      ],
    },
    { streamText: false },
  );

  const work = await reactLoop({
    messages: [
      ...messages,
      { role: 'user', content: `Analysis of the request:\n${analysis.text}\n\nNow do the work.` },
    ],
    maxIterations,
    steps,
    role: 'stage:process',
    streamText: false,
  });

  await steps.callModel(
    {
      role: 'stage:synthesize',
      messages: [
        ...messages,
        {
          role: 'user',
          content: `Analysis:\n${analysis.text}\n\nWork done:\n${work}\n\nWrite the final answer to: ${query}`,
        },
      ],
    },
    { streamText: true },
  );
};
