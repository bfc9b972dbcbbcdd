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

  it('holds back only what a literal pattern could still need: its length − 1', () => {
    const filter = createOutputStreamFilter([{ type: 'content_filter', blocked_patterns: ['secret', 'leak'] }]);

    const released = [filter.push('The answer is '), filter.push('forty-two.')];

    expect(released).toEqual(['The answe', 'r is forty']);
    expect(filter.finish()).toBe('-two.');
  });

  it('holds back a bounded regular expression up to the character its last \\b looks at', () => {
    const filter = createOutputStreamFilter([
      { type: 'content_filter', blocked_patterns: [String.raw`\bclassif(?:y|ied)\b`, 'colou?r'] },
    ]);

    const released = filter.push('x'.repeat(1000));

    expect(released).toHaveLength(1000 - 10);
  });

  it('holds back the 256-character window for a pattern whose match has no bound', () => {
    const filter = createOutputStreamFilter([
      { type: 'content_filter', blocked_patterns: ['secret', String.raw`pass\s*word`] },
    ]);

    const released = filter.push('x'.repeat(1000));

    expect(released).toHaveLength(1000 - 256);
  });

  it('keeps the window for content_safety with its default list, whose key patterns have no bound', () => {
    const filter = createOutputStreamFilter([{ type: 'content_safety' }]);

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

// Blocked patterns of each kind the holdback treats apart, and texts where their matches touch,
// overlap, sit at the very start and end, and are written across any cut.
const patternRuleSets: Record<string, string[]> = {
  'literal patterns': ['secret', 'top secret plan', 'pass', 'é😀'],
  'bounded regular expressions': [
    String.raw`\bclassified\b`,
    'colou?r',
    String.raw`\d{3}-\d{4}`,
    'x(?=yz)',
    '(?<=@)home',
    'end$',
    '(?:ab|cde){2}',
    'ab(?:cd)?',
  ],
  'unbounded regular expressions': [String.raw`pass\s*word`, 'sk-[a-z0-9]{8,}', 'secret'],
  'literal, bounded and unbounded together': ['secret', String.raw`\bclassified\b`, String.raw`pass\s*word`],
};
const sampleTexts = [
  'secret',
  'The top secret plan is a secret; the passwords are pass word and PASS  WORD.',
  'Declassified: classified! The classified colour and color of 555-1234 at @home, not home.',
  'xyz xy x yz abab abcde cdecde cdeab abcdcd abc the end',
  'sk-abc12345678 and sk-short, then secretsecret classifiedclassified, é😀é😀 secre',
  'top secret planet, top secret plan, topsecretplan, colouur 5551-234 passpass word',
];

const contentFilter = (patterns: string[]): GuardrailRule[] => [{ type: 'content_filter', blocked_patterns: patterns }];

describe('createOutputStreamFilter with blocked patterns', () => {
  for (const [name, patterns] of Object.entries(patternRuleSets)) {
    const rules = contentFilter(patterns);

    it(`streams exactly the whole-text result with ${name}, each alone and together, cut at every position`, () => {
      // Alone, each pattern's own holdback is the rule set's: one too short shows.
      for (const rules of [patterns, ...patterns.map((pattern) => [pattern])].map(contentFilter)) {
        for (const text of sampleTexts) {
          const whole = applyOutputGuardrails(text, rules);
          for (let cut = 0; cut <= text.length; cut++) {
            const stream = streamed(rules, [text.slice(0, cut), text.slice(cut)]);

            expect({ rules, text, cut, streamed: stream.text }).toEqual({ rules, text, cut, streamed: whole.text });
            expect({ rules, text, cut, applied: stream.applied }).toEqual({ rules, text, cut, applied: whole.applied });
          }
          const oneUnitAtATime = streamed(rules, text.split(''));
          expect({ rules, text, oneUnitAtATime: oneUnitAtATime.text }).toEqual({
            rules,
            text,
            oneUnitAtATime: whole.text,
          });
        }
      }
    });

    it(`streams exactly the whole-text result with ${name}, cut many times at random`, () => {
      for (let seed = 1; seed <= 200; seed++) {
        const random = aRandom(seed);
        const text = random.pick(sampleTexts) + random.pick(sampleTexts).slice(random.below(20));
        const deltas = splitAtRandom(text, random);

        const stream = streamed(rules, deltas);

        expect({ seed, deltas, streamed: stream.text }).toEqual({
          seed,
          deltas,
          streamed: applyOutputGuardrails(text, rules).text,
        });
      }
    });

    it(`blocks at every cut exactly when the whole text is blocked, with ${name}, releasing no match`, () => {
      const blocking: GuardrailRule[] = [{ type: 'content_filter', blocked_patterns: patterns, action: 'block' }];
      for (const text of [...sampleTexts, 'nothing to see', 'the pas', 'colo']) {
        const isWholeBlocked = throwsBlocked(() => applyOutputGuardrails(text, blocking));
        // Redaction leaves the text before the first match as it is: all a blocked stream may release.
        const redacted = applyOutputGuardrails(text, rules).text;
        const releasable = isWholeBlocked ? redacted.slice(0, redacted.indexOf('[FILTERED]')) : text;
        for (let cut = 0; cut <= text.length; cut++) {
          const filter = createOutputStreamFilter(blocking);
          let released = '';

          const isStreamBlocked = throwsBlocked(() => {
            released += filter.push(text.slice(0, cut));
            released += filter.push(text.slice(cut));
            released += filter.finish();
          });

          expect({ text, cut, isStreamBlocked, isReleasable: releasable.startsWith(released) }).toEqual({
            text,
            cut,
            isStreamBlocked: isWholeBlocked,
            isReleasable: true,
          });
        }
      }
    });
  }
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
