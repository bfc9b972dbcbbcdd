import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openOkfBundle } from '../../knowledge/okf-bundle.ts';
import { createAgentToolset } from '../create-agent-toolset.ts';

const fixtureBundle = new URL('../../../test/fixtures/okf/support-kb', import.meta.url).pathname;
const live = () => ({ signal: new AbortController().signal });

describe('kb_index, kb_read and kb_find in an agent toolset', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function aToolset(withBundle: boolean) {
    const dir = mkdtempSync(join(tmpdir(), 'kb-tools-'));
    dirs.push(dir);
    cpSync(fixtureBundle, join(dir, 'kb'), { recursive: true });
    return createAgentToolset({
      agent: 'okf-assistant',
      specs: [{ name: 'calculator' }],
      credentials: () => undefined,
      log: pino({ level: 'silent' }),
      bundle: withBundle ? openOkfBundle(join(dir, 'kb'), () => new Date('2026-06-01T00:00:00Z')) : undefined,
    });
  }

  it('joins the agent’s own tools only when it has a bundle, after them', () => {
    expect(aToolset(true).definitions.map((definition) => definition.name)).toEqual([
      'calculator',
      'kb_index',
      'kb_read',
      'kb_find',
    ]);
    expect(aToolset(false).definitions.map((definition) => definition.name)).toEqual(['calculator']);
  });

  it('takes null for an optional argument as its default, as models send it', async () => {
    const result = await aToolset(true).execute(
      { name: 'kb_find', input: { text: null, type: 'policy', tags: null, include_deprecated: null, limit: null } },
      live(),
    );
    expect(result).toEqual({
      success: true,
      data: { results: [expect.objectContaining({ id: 'policies/returns' })], skipped_invalid: 0 },
    });
    expect(await aToolset(true).execute({ name: 'kb_index', input: {} }, live())).toMatchObject({
      success: true,
      data: expect.stringContaining('* [policies](policies/)'),
    });
  });

  it('refuses arguments that do not fit, naming the field, so the model can retry', async () => {
    expect(await aToolset(true).execute({ name: 'kb_find', input: { limit: 500 } }, live())).toMatchObject({
      success: false,
      error: { code: 'invalid_input', message: expect.stringContaining('limit') },
    });
    expect(await aToolset(true).execute({ name: 'kb_read', input: {} }, live())).toMatchObject({
      success: false,
      error: { code: 'invalid_input', message: expect.stringContaining('concept_id') },
    });
  });
});
