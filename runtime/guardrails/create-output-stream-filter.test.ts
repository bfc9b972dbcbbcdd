import { describe, expect, it } from 'vitest';
import { GuardrailBlocked } from '../runtime-error.ts';
import { applyOutputGuardrails } from './apply-output-guardrails.ts';
import { createOutputStreamFilter } from './create-output-stream-filter.ts';
import type { GuardrailRule } from './guardrail-types.ts';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function aRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number) => Math.floor(next() * n);
  return { below, pick: <T>(items: readonly T[]): T => items[below(items.length)] as T };
}

const fragments = [
  'jane.doe@example.com',
  'a@b.co',
  'x+tag@mail.example.co.uk',
  '555-123-4567',
  '(555) 123-4567',
  '+1 555 123 4567',
  '+44 20 7946 0958',
  '5551234567',
  '4111 1111 1111 1111',
  '4111-1111-1111-1111',
  '5500005555555559',
  '3782 822463 10005',
  '4111 1111 1111 1112',
  '123-45-6789',
  '078 05 1120',
  'secret',
  'SECRET',
  'pass word',
  'password',
  'classified',
  'sk-abcdefgh12345',
  'hello',
  'the',
  'order',
  '42',
  '2024-01-15',
  'v1.2.3',
  'é',
  '😀',
  '[FILTERED]',
];
const separators = [' ', ' ', ' ', '  ', '\n', ', ', '. ', '-', '', '@', '.', '+', '('];

function aText(random: ReturnType<typeof aRandom>): string {
  let text = '';
  const length = 1 + random.below(40);
  for (let index = 0; index < length; index++) text += random.pick(fragments) + random.pick(separators);
  return text;
}

function splitAtRandom(text: string, random: ReturnType<typeof aRandom>): string[] {
  const deltas: string[] = [];
  let position = 0;
  while (position < text.length) {
    const size = random.pick([1, 1, 2, 3, 5, 8, 13, 40]);
    deltas.push(text.slice(position, position + size));
    position += size;
  }
  return deltas;
}

function streamed(rules: GuardrailRule[], deltas: string[]) {
  const filter = createOutputStreamFilter(rules);
  let text = '';
  for (const delta of deltas) text += filter.push(delta);
  text += filter.finish();
  return { text, applied: filter.applied, stopped: filter.stopped };
}

const ruleSets: Record<string, GuardrailRule[]> = {
  pii_detection: [{ type: 'pii_detection' }],
  content_filter: [
    { type: 'content_filter', blocked_patterns: ['secret', String.raw`pass\s*word`, String.raw`\bclassified\b`] },
  ],
  'content_safety with its default list': [{ type: 'content_safety' }],
  'content_filter with patterns that grow': [
    { type: 'content_filter', blocked_patterns: ['sk-[a-z0-9]{8,}', String.raw`\d+(?:[ -]\d+)*`] },
  ],
  'pii_filter then content_filter': [
    { type: 'pii_filter' },
    { type: 'content_filter', blocked_patterns: ['secret', 'REDACTED'] },
  ],
  cost_limit: [{ type: 'cost_limit', max_tokens_per_turn: 20 }],
  'pii, cost_limit, then a filter of the marker': [
    { type: 'pii_detection' },
    { type: 'cost_limit', max_tokens_per_turn: 30 },
    { type: 'content_filter', blocked_patterns: [String.raw`\[truncated\]`, 'hello'] },
  ],
  'cost_limit before pii': [{ type: 'cost_limit', max_tokens_per_turn: 15 }, { type: 'pii_detection' }],
};

describe('createOutputStreamFilter', () => {
  it('passes deltas straight through when the agent has no output rules', () => {
    const filter = createOutputStreamFilter([]);

    expect(filter.push('jane@')).toBe('jane@');
    expect(filter.push('example.com')).toBe('example.com');
    expect(filter.finish()).toBe('');
    expect(filter.stopped).toBe(false);
  });

  it('never releases an e-mail address split across deltas', () => {
    const filter = createOutputStreamFilter([{ type: 'pii_detection' }]);

    const released = [filter.push('Write to ja'), filter.push('ne@exam'), filter.push('ple.com now'), filter.finish()];

    expect(released.join('')).toBe('Write to [REDACTED_EMAIL] now');
    expect(released.slice(0, 2).join('')).not.toContain('ja');
  });

  it('releases ordinary prose as it arrives, holding back only the word being written', () => {
    const filter = createOutputStreamFilter([{ type: 'pii_detection' }]);

    const released = filter.push('The weather is fine tod');

    expect(released).toBe('The weather is fine');
  });

  it('holds back at most 256 characters for a blocked pattern', () => {
    const filter = createOutputStreamFilter([{ type: 'content_filter', blocked_patterns: ['secret'] }]);

    const released = filter.push('x'.repeat(1000));

    expect(released).toHaveLength(1000 - 256);
  });

  it('stops at a cost_limit so the engine can abort the model call', () => {
    const filter = createOutputStreamFilter([{ type: 'cost_limit', max_tokens_per_turn: 3 }]);

    const first = filter.push('one two ');
    const second = filter.push('three four');

    expect(first + second).toBe('one two... [truncated]');
    expect(filter.stopped).toBe(true);
    expect(filter.push('five')).toBe('');
    expect(filter.finish()).toBe('');
    expect(filter.applied).toEqual([
      { type: 'cost_limit', action: 'truncate', detail: 'truncated after 2 words (about 3 tokens)' },
    ]);
  });

  it('throws GuardrailBlocked for a blocked pattern without releasing any of it', () => {
    const filter = createOutputStreamFilter([
      { type: 'content_filter', blocked_patterns: ['launch codes'], action: 'block' },
    ]);
    let released = '';

    const attempt = () => {
      for (const delta of ['The launch', ' co', 'des are 00', '00.']) released += filter.push(delta);
      released += filter.finish();
    };

    expect(attempt).toThrow(GuardrailBlocked);
    expect(released).not.toMatch(/launch/);
  });

  it('reports what it changed, as applyOutputGuardrails does', () => {
    const rules: GuardrailRule[] = [
      { type: 'pii_detection' },
      { type: 'content_filter', blocked_patterns: ['secret'] },
    ];
    const text = 'jane@example.com knows the secret, call 555-123-4567';

    const result = streamed(rules, ['jane@exa', 'mple.com knows the sec', 'ret, call 555-12', '3-4567']);

    expect(result.applied).toEqual(applyOutputGuardrails(text, rules).applied);
  });

  for (const [name, rules] of Object.entries(ruleSets)) {
    it(`streams exactly the whole-text result with ${name}, however the text is split`, () => {
      for (let seed = 1; seed <= 300; seed++) {
        const random = aRandom(seed);
        const text = aText(random);
        const deltas = splitAtRandom(text, random);

        const whole = applyOutputGuardrails(text, rules);
        const stream = streamed(rules, deltas);

        expect({ seed, text: stream.text }).toEqual({ seed, text: whole.text });
        const isTruncated = whole.applied.some((applied) => applied.type === 'cost_limit');
        expect({ seed, stopped: stream.stopped }).toEqual({ seed, stopped: isTruncated });
        // A stream that stopped never saw the rest of the text, so earlier rules counted less of it.
        if (!isTruncated) expect({ seed, applied: stream.applied }).toEqual({ seed, applied: whole.applied });
      }
    });
  }

  it('blocks a streamed answer exactly when the whole answer is blocked, releasing no match first', () => {
    const rules: GuardrailRule[] = [
      { type: 'pii_detection', action: 'block' },
      { type: 'content_filter', blocked_patterns: ['secret'], action: 'block' },
    ];
    for (let seed = 1; seed <= 300; seed++) {
      const random = aRandom(seed);
      const text = aText(random);
      const filter = createOutputStreamFilter(rules);
      let released = '';

      const isWholeBlocked = throwsBlocked(() => applyOutputGuardrails(text, rules));
      const isStreamBlocked = throwsBlocked(() => {
        for (const delta of splitAtRandom(text, random)) released += filter.push(delta);
        released += filter.finish();
      });

      expect({ seed, isStreamBlocked }).toEqual({ seed, isStreamBlocked: isWholeBlocked });
      expect({ seed, leaked: throwsBlocked(() => applyOutputGuardrails(released, rules)) }).toEqual({
        seed,
        leaked: false,
      });
    }
  });
});

function throwsBlocked(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (err) {
    if (err instanceof GuardrailBlocked) return true;
    throw err;
  }
}
