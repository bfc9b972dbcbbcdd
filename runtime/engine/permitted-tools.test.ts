import { describe, expect, it } from 'vitest';
import { permittedTools } from './permitted-tools.ts';

const names = ['calculator', 'datetime_now', 'kb_find', 'kb_read', 'send_email', 'show_score_card'];
const permitted = (permissions: Parameters<typeof permittedTools>[1]) => {
  const set = permittedTools(names, permissions);
  return set === undefined ? undefined : [...set];
};

describe('permittedTools (spec.permissions, as upstream reads it)', () => {
  it('restricts nothing without allowed_actions or denied_actions', () => {
    expect(permitted(undefined)).toBeUndefined();
    expect(permitted({})).toBeUndefined();
  });

  it('keeps the names an allowed pattern matches, whole and case-sensitively', () => {
    expect(permitted({ allowed_actions: ['kb_*', 'calculator'] })).toEqual(['calculator', 'kb_find', 'kb_read']);
    expect(permitted({ allowed_actions: ['Calculator', 'calc'] })).toEqual([]);
    expect(permitted({ allowed_actions: ['kb_?ead'] })).toEqual(['kb_read']);
  });

  it('takes denied patterns away from what is allowed, or from every tool when nothing is allowed explicitly', () => {
    expect(permitted({ allowed_actions: ['kb_*'], denied_actions: ['kb_read'] })).toEqual(['kb_find']);
    expect(permitted({ denied_actions: ['send_*', '*_now'] })).toEqual([
      'calculator',
      'kb_find',
      'kb_read',
      'show_score_card',
    ]);
  });

  it('reads character classes, negated ones included, and takes regex characters literally', () => {
    expect(permitted({ allowed_actions: ['[ck]*'] })).toEqual(['calculator', 'kb_find', 'kb_read']);
    expect(permitted({ allowed_actions: ['[!ck]*'] })).toEqual(['datetime_now', 'send_email', 'show_score_card']);
    expect(permitted({ allowed_actions: ['.*'] })).toEqual([]);
  });
});
