import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCrds } from './render-crds.ts';

describe('the committed CRD YAML', () => {
  for (const [fileName, expected] of renderCrds()) {
    it(`crds/${fileName} matches the zod schemas (run \`npm run crds\` after changing them)`, () => {
      const committed = readFileSync(join(import.meta.dirname, fileName), 'utf8');

      expect(committed).toBe(expected);
    });
  }
});
