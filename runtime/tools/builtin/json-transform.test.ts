import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { jsonTransform } from './json-transform.ts';

describe('json_transform', () => {
  it('returns parsed JSON when the template renders JSON', async () => {
    const data = { users: [{ name: 'Ada' }, { name: 'Linus' }] };
    const template =
      '{"names": [{% for u in data.users %}"{{ u.name }}"{% unless forloop.last %},{% endunless %}{% endfor %}]}';

    const result = await runTool(jsonTransform, { data, template });

    expect(result).toEqual({ names: ['Ada', 'Linus'] });
  });

  it('returns the rendered string when it is not JSON', async () => {
    const result = await runTool(jsonTransform, { data: { n: 3 }, template: 'count: {{ data.n | plus: 1 }}' });

    expect(result).toBe('count: 4');
  });

  it('hides properties from the prototype chain', async () => {
    const result = await runTool(jsonTransform, { data: {}, template: '[{{ data.constructor }}]' });

    expect(result).toEqual([]);
  });

  it('cannot include files', async () => {
    const running = runTool(jsonTransform, { data: {}, template: "{% include '/etc/passwd' %}" });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('reports a template syntax error as invalid_input', async () => {
    const running = runTool(jsonTransform, { data: {}, template: '{% for x in data %}' });

    await expect(running).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^template: /),
    });
  });

  it('reports an unknown filter as invalid_input', async () => {
    const running = runTool(jsonTransform, { data: 'x', template: '{{ data | shell }}' });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/shell/) });
  });
});
