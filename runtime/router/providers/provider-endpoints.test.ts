import { describe, expect, it } from 'vitest';
import { ollamaApiUrl } from './provider-endpoints.ts';

describe('ollamaApiUrl', () => {
  it.each([
    ['http://localhost:11434', 'http://localhost:11434/api'],
    ['http://localhost:11434/', 'http://localhost:11434/api'],
    ['http://localhost:11434/api', 'http://localhost:11434/api'],
    ['https://gateway.example.test/ollama/api/', 'https://gateway.example.test/ollama/api'],
  ])('turns %s into %s', (endpoint, apiUrl) => {
    expect(ollamaApiUrl(endpoint)).toBe(apiUrl);
  });
});
