import { describe, expect, it } from 'vitest';
import { builtinToolNames, findBuiltinTool, listBuiltinTools, toToolDefinition } from './builtin-tools.ts';

describe('builtinTools', () => {
  it('has the upstream built-in tools and calculator', () => {
    expect(builtinToolNames).toEqual([
      'datetime_now',
      'json_transform',
      'cache_store',
      'http_request',
      'graphql_query',
      'web_search',
      'web_scrape',
      'wikipedia',
      'read_file',
      'write_file',
      'sql_query',
      'send_webhook',
      'send_slack',
      'send_email',
      'text_summarize',
      'calculator',
      'rag_query',
      'rag_ingest',
    ]);
  });

  it('finds a tool by name', () => {
    expect(findBuiltinTool('wikipedia')?.name).toBe('wikipedia');
  });

  it('finds nothing for an unknown name', () => {
    expect(findBuiltinTool('toString')).toBeUndefined();
  });
});

describe('listBuiltinTools', () => {
  it('describes web_search with its upstream parameters', () => {
    const webSearch = listBuiltinTools().find((tool) => tool.name === 'web_search');

    expect(webSearch?.parameters).toEqual({
      type: 'object',
      properties: {
        query: expect.objectContaining({ type: 'string' }),
        max_results: expect.objectContaining({ type: 'integer', default: 5 }),
      },
      required: ['query'],
    });
  });

  it('gives every tool an object schema without a $schema key', () => {
    const tools = listBuiltinTools();

    expect(tools.every((tool) => tool.parameters.type === 'object' && !('$schema' in tool.parameters))).toBe(true);
  });

  it('gives every tool a description that tells the model when to use it', () => {
    const tools = listBuiltinTools();

    expect(tools.filter((tool) => tool.description.length < 80).map((tool) => tool.name)).toEqual([]);
  });

  it('describes every parameter', () => {
    const undescribed = listBuiltinTools().flatMap((tool) =>
      Object.entries(tool.parameters.properties as Record<string, { description?: string }>)
        .filter(([, property]) => !property.description)
        .map(([name]) => `${tool.name}.${name}`),
    );

    expect(undescribed).toEqual([]);
  });
});

describe('toToolDefinition', () => {
  it('replaces the description when the agent gives one', () => {
    const calculator = findBuiltinTool('calculator');
    if (!calculator) throw new Error('calculator is missing');

    const definition = toToolDefinition(calculator, 'Totals for invoices.');

    expect(definition).toMatchObject({ name: 'calculator', description: 'Totals for invoices.' });
  });
});
