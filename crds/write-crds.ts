// Regenerates the committed CRD YAML from the zod schemas: `npm run crds`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrds } from './render-crds.ts';

for (const [fileName, yaml] of renderCrds()) {
  writeFileSync(join(import.meta.dirname, fileName), yaml);
  process.stdout.write(`wrote crds/${fileName}\n`);
}
