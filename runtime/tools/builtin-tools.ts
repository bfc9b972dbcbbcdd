import { z } from 'zod';
import type { ToolDefinition } from '../router/model-types.ts';
import { cacheStore } from './builtin/cache-store.ts';
import { calculator } from './builtin/calculator.ts';
import { datetimeNow } from './builtin/datetime-now.ts';
import { graphqlQuery } from './builtin/graphql-query.ts';
import { httpRequest } from './builtin/http-request.ts';
import { jsonTransform } from './builtin/json-transform.ts';
import { ragIngest } from './builtin/rag-ingest.ts';
import { ragQuery } from './builtin/rag-query.ts';
import { readFileTool } from './builtin/read-file.ts';
import { sendEmail } from './builtin/send-email.ts';
import { sendSlack } from './builtin/send-slack.ts';
import { sendWebhook } from './builtin/send-webhook.ts';
import { sqlQuery } from './builtin/sql-query.ts';
import { textSummarize } from './builtin/text-summarize.ts';
import { webScrape } from './builtin/web-scrape.ts';
import { webSearch } from './builtin/web-search.ts';
import { wikipedia } from './builtin/wikipedia.ts';
import { writeFileTool } from './builtin/write-file.ts';
import type { Tool } from './tool-types.ts';

/**
 * Every built-in tool, by its upstream name (../shared/research/astromesh.md, section 3), plus
 * calculator, which the Cloud wizard offers. Upstream v0.40's send_message needs a Nexus channel
 * service we do not run, so it is not here.
 */
export const builtinTools: readonly Tool[] = [
  datetimeNow,
  jsonTransform,
  cacheStore,
  httpRequest,
  graphqlQuery,
  webSearch,
  webScrape,
  wikipedia,
  readFileTool,
  writeFileTool,
  sqlQuery,
  sendWebhook,
  sendSlack,
  sendEmail,
  textSummarize,
  calculator,
  ragQuery,
  ragIngest,
];

export const builtinToolNames: readonly string[] = builtinTools.map((tool) => tool.name);

const toolsByName = new Map(builtinTools.map((tool) => [tool.name, tool]));

export function findBuiltinTool(name: string): Tool | undefined {
  return toolsByName.get(name);
}

/**
 * The JSON Schema (type object) of what the model may pass. It describes the input side, so
 * fields with defaults are optional; `$schema` is dropped because some providers reject it.
 */
export function toolInputJsonSchema(tool: Tool): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(tool.inputSchema, { io: 'input' });
  return schema;
}

/** The tool as the model sees it; an agent's `tools[].description` replaces the built-in one. */
export function toToolDefinition(tool: Tool, description?: string): ToolDefinition {
  return { name: tool.name, description: description ?? tool.description, inputSchema: toolInputJsonSchema(tool) };
}

/** One entry of `GET /v1/tools/builtin`. */
export interface BuiltinToolView {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export function listBuiltinTools(): BuiltinToolView[] {
  return builtinTools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: toolInputJsonSchema(tool),
  }));
}
