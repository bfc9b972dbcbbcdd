import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Env, loadApiConfig } from './api-config.ts';
import { apiEnvReference, defaultLabelOf } from './api-env-reference.ts';

// Secrets given, so loading never generates development secrets into a state folder.
const secrets = {
  ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
  ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
};

describe('the environment variable reference', () => {
  it('describes exactly the variables loadApiConfig reads', () => {
    const documented = apiEnvReference.map((variable) => variable.name).sort();

    expect(documented).toEqual(Object.keys(Env.shape).sort());
  });

  it.each(apiEnvReference.filter((variable) => variable.default !== undefined))(
    'documents the default of $name: setting it to that changes nothing',
    (variable) => {
      const unset = loadApiConfig(secrets);

      const setToDefault = loadApiConfig({ ...secrets, [variable.name]: variable.default });

      expect(setToDefault).toEqual(unset);
    },
  );

  it.each(apiEnvReference.filter((variable) => variable.default === undefined))(
    'says what leaving $name unset does, since it has no fixed default',
    (variable) => {
      expect(variable.whenUnset).toBeTruthy();
    },
  );

  it('is the table README.md shows, with the same defaults', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

    for (const variable of apiEnvReference) {
      const label = variable.default !== undefined ? `\`${variable.default}\`` : defaultLabelOf(variable);
      expect(readme).toContain(`| \`${variable.name}\` | ${label} |`);
    }
  });
});
