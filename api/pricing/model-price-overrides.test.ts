import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelPriceOverrides } from './model-price-overrides.ts';

describe('loadModelPriceOverrides', () => {
  it('reads a JSON value or a file holding one', () => {
    const json = '{"openai/gpt-6-luna": {"input": 0.1, "output": 0.5}, "ollama/*": {"input": 0, "output": 0}}';
    expect(loadModelPriceOverrides(json)).toEqual({
      'openai/gpt-6-luna': { input: 0.1, output: 0.5 },
      'ollama/*': { input: 0, output: 0 },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'prices-')), 'prices.json');
    writeFileSync(file, json);
    expect(loadModelPriceOverrides(file)).toEqual(loadModelPriceOverrides(json));
    expect(loadModelPriceOverrides(undefined)).toEqual({});
  });

  it('names the variable and the bad key', () => {
    expect(() => loadModelPriceOverrides('{"gpt-6-luna": {"input": 1, "output": 1}}')).toThrow(
      /ASTROMESH_MODEL_PRICES: key 'gpt-6-luna' must be provider\/model/,
    );
    expect(() => loadModelPriceOverrides('{"openai/gpt-6-luna": {"input": -1, "output": 1}}')).toThrow(
      /ASTROMESH_MODEL_PRICES: 'openai\/gpt-6-luna' input:/,
    );
    expect(() => loadModelPriceOverrides('{"openai/x": {"input": 1}}')).toThrow(/'openai\/x' output:/);
    expect(() => loadModelPriceOverrides('{"openai/x": {"input": 1, "output": 1, "cached": 1}}')).toThrow(
      /'openai\/x'/,
    );
    expect(() => loadModelPriceOverrides('{not json')).toThrow(/ASTROMESH_MODEL_PRICES is not JSON/);
    expect(() => loadModelPriceOverrides('/no/such/prices.json')).toThrow(/ASTROMESH_MODEL_PRICES: cannot read/);
  });
});
