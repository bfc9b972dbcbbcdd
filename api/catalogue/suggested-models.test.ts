import { describe, expect, it } from 'vitest';
import { modelTraits } from '../../runtime/router/model-catalog.ts';
import { cloudProviders, ModelRef } from '../schemas/wizard-config.ts';
import { defaultModel, type RetiringModel, retiringModels, suggestedModels } from './suggested-models.ts';

const allSuggestions = Object.values(suggestedModels).flat();

// A dated snapshot retires with its model: gpt-4o-mini-2024-07-18, claude-sonnet-4-20250514,
// command-r-03-2024, mistral-medium-2312. Other suffixes name another model (command-r7b,
// gpt-5.1, claude-sonnet-4-5), which the list must name itself.
const snapshotSuffix = /^-(\d{4}-\d{2}-\d{2}|\d{8}|\d{2}-\d{4}|\d{4})$/;
const retiringEntryOf = (ref: string): RetiringModel | undefined =>
  retiringModels.find(
    (retiring) =>
      ref === retiring.model ||
      (ref.startsWith(retiring.model) && snapshotSuffix.test(ref.slice(retiring.model.length))),
  );

describe('suggestedModels', () => {
  it('suggests models for exactly the providers step1 accepts', () => {
    expect(Object.keys(suggestedModels).sort()).toEqual([...cloudProviders].sort());
  });

  it('suggests two to four models per provider, each under its own provider', () => {
    for (const [provider, suggestions] of Object.entries(suggestedModels)) {
      expect(suggestions.length, provider).toBeGreaterThanOrEqual(2);
      expect(suggestions.length, provider).toBeLessThanOrEqual(4);
      for (const { model, note } of suggestions) {
        expect(model.startsWith(`${provider}/`), model).toBe(true);
        expect(note.length, model).toBeGreaterThan(0);
      }
    }
  });

  it('suggests only model references the API accepts in step1', () => {
    for (const ref of [...allSuggestions.map((s) => s.model), defaultModel]) {
      expect(ModelRef.safeParse(ref).success, ref).toBe(true);
    }
  });

  it('suggests no model, nor a snapshot of one, that its provider has scheduled for removal', () => {
    for (const ref of [...allSuggestions.map((s) => s.model), defaultModel]) {
      expect(retiringEntryOf(ref), ref).toBeUndefined();
    }
  });

  it('would refuse the old default gpt-4o-mini and its dated snapshot', () => {
    expect(retiringEntryOf('openai/gpt-4o-mini')).toEqual({ model: 'openai/gpt-4o-mini', shutdownDate: '2027-01-14' });
    expect(retiringEntryOf('openai/gpt-4o-mini-2024-07-18')?.model).toBe('openai/gpt-4o-mini');
    expect(retiringEntryOf('cohere/command-r7b-12-2024')).toBeUndefined();
  });

  it('lists the cheapest model of each provider first, by the router’s own prices', () => {
    for (const provider of cloudProviders) {
      const costs = suggestedModels[provider].map(
        ({ model }) => modelTraits({ provider, model: model.slice(provider.length + 1) }).costPerMillionTokens,
      );

      expect(Math.min(...costs), provider).toBe(costs[0]);
    }
  });

  it('starts the wizard and the quickstart from the first OpenAI suggestion', () => {
    expect(defaultModel).toBe(suggestedModels.openai[0]?.model);
  });
});

describe('retiringModels', () => {
  it('dates each shutdown as YYYY-MM-DD, or null while the provider has not set one', () => {
    for (const { model, shutdownDate } of retiringModels) {
      if (shutdownDate === null) continue;
      expect(shutdownDate, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${shutdownDate}T00:00:00Z`).toISOString().slice(0, 10), model).toBe(shutdownDate);
    }
  });
});
