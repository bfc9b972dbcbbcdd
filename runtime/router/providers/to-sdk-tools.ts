import { type JSONSchema7, jsonSchema, type ToolSet, tool } from 'ai';
import type { ToolDefinition } from '../model-types.ts';

/**
 * Our tool definitions as AI SDK tools. None has `execute`, so the SDK stops at the model's tool
 * calls and hands them back: running tools (and checking their input) is runtime/tools' job.
 */
export function toSdkTools(tools: ToolDefinition[] | undefined): ToolSet | undefined {
  if (!tools || tools.length === 0) return undefined;
  return Object.fromEntries(
    tools.map((definition) => [
      definition.name,
      tool({ description: definition.description, inputSchema: jsonSchema(definition.inputSchema as JSONSchema7) }),
    ]),
  );
}
