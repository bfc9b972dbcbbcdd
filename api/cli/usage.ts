import { apiEnvReference, defaultLabelOf } from '../config/api-env-reference.ts';

const lineWidth = 100;
const indent = '      ';

/** `node api/main.ts --help`: how to run the API and every variable it reads, with its default. */
export const usage = [
  'astromesh-api: the Astromesh Cloud API (/api/v1), with an embedded PostgreSQL and local org runtimes',
  'unless configured otherwise. It also serves Studio, the web UI, at /studio/ (/ redirects there) from',
  'studio/dist: npm start builds it when its sources changed; npm run studio:build builds it by hand.',
  '',
  'Usage:',
  '  node api/main.ts          (what npm start runs)',
  '  node api/main.ts --help',
  '',
  'Configuration comes from environment variables only (default in brackets):',
  '',
  ...apiEnvReference.flatMap((variable) => [
    `  ${variable.name} [${defaultLabelOf(variable)}]`,
    ...wrap(variable.description, lineWidth - indent.length).map((line) => `${indent}${line}`),
  ]),
  '',
  'Endpoints besides /api/v1: GET /healthz, GET /readyz, GET /metrics (Prometheus), and the OpenAPI',
  'document at GET /api/v1/openapi.json.',
  '',
  'Exit status: 0 after a clean shutdown (SIGTERM or SIGINT), 1 when the API cannot start, 2 for a bad',
  'variable or argument.',
  '',
].join('\n');

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
