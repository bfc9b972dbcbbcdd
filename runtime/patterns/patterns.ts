import type { OrchestrationPattern } from '../config/agent-schema.ts';
import { glyph } from './glyph/glyph.ts';
import { parallelFanOut } from './parallel-fan-out.ts';
import type { Pattern } from './pattern-types.ts';
import { pipeline } from './pipeline.ts';
import { planAndExecute } from './plan-and-execute.ts';
import { react } from './react.ts';
import { supervisor } from './supervisor.ts';
import { swarm } from './swarm.ts';

/** Every pattern the runtime runs; the schema refuses any other name, so there is no fallback. */
export const patterns: Record<OrchestrationPattern, Pattern> = {
  react,
  plan_and_execute: planAndExecute,
  parallel_fan_out: parallelFanOut,
  pipeline,
  supervisor,
  swarm,
  glyph,
};
