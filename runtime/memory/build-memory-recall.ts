import type { ChatMessage } from '../router/model-types.ts';
import type { MemoryRecall, Turn } from './memory-types.ts';

const summaryHeading = 'Summary of the earlier conversation:';
const speakerNames = { user: 'User', assistant: 'Assistant' } as const;

/**
 * Renders what a strategy recalled, once as chat messages and once as prose. The summary goes
 * first in both: as a system message, because it is context the runtime supplies, not something
 * either party said.
 */
export function buildMemoryRecall(recalled: { summary?: string; turns: Turn[] }): MemoryRecall {
  const summary = recalled.summary?.trim() ? recalled.summary : undefined;
  const messages: ChatMessage[] = recalled.turns.map((turn) => ({ role: turn.role, content: turn.content }));
  if (summary !== undefined) messages.unshift({ role: 'system', content: `${summaryHeading}\n${summary}` });

  const transcript = recalled.turns.map((turn) => `${speakerNames[turn.role]}: ${turn.content}`).join('\n');
  const text = [summary === undefined ? '' : `${summaryHeading}\n${summary}`, transcript]
    .filter((part) => part !== '')
    .join('\n\n');
  return { messages, text };
}
