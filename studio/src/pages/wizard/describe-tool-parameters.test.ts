import { describe, expect, it } from 'vitest';
import { describeToolParameters } from './describe-tool-parameters.ts';

describe('describeToolParameters', () => {
  it('lists each parameter with its type, whether it is required and its description', () => {
    const parameters = describeToolParameters({
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['get', 'set'], description: 'What to do.' },
        key: { type: 'string', description: 'Cache key.' },
        ttl_seconds: { type: 'integer' },
        value: { description: 'Any JSON value.' },
        limit: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      },
      required: ['action', 'key'],
    });

    expect(parameters).toEqual([
      { name: 'action', type: 'one of get, set', isRequired: true, description: 'What to do.' },
      { name: 'key', type: 'string', isRequired: true, description: 'Cache key.' },
      { name: 'ttl_seconds', type: 'whole number', isRequired: false, description: '' },
      { name: 'value', type: 'any', isRequired: false, description: 'Any JSON value.' },
      { name: 'limit', type: 'whole number or string', isRequired: false, description: '' },
    ]);
  });

  it('lists nothing for a tool without parameters', () => {
    expect(describeToolParameters({ type: 'object' })).toEqual([]);
  });
});
