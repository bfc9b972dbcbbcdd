import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { quickstartEnd, quickstartOf, quickstartStart } from '../../api/cli/quickstart.ts';
import { chartDir } from '../support/helm-chart.ts';

const installDoc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'install.md'), 'utf8');
const values = load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;

interface TableRow {
  key: string;
  defaultValue: string;
  meaning: string;
}

/** The rows of the "Configuration" table: | `key` | `default` | meaning | */
function configurationRows(markdown: string): TableRow[] {
  const section = markdown.split(/^## Configuration$/m)[1] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \| `([^`]*)` \| (.*) \|$/gm)].map(([, key, defaultValue, meaning]) => ({
    key: key ?? '',
    defaultValue: defaultValue ?? '',
    meaning: meaning ?? '',
  }));
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every key path of values.yaml that holds a value rather than more keys. */
function leafPaths(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isMapping(value) && Object.keys(value).length > 0 ? leafPaths(value, path) : [path];
  });
}

function valueAt(path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isMapping(node) ? node[key] : undefined), values);
}

describe('docs/install.md', () => {
  const rows = configurationRows(installDoc);

  it('has a configuration row for every key of values.yaml, itself or a section that holds it', () => {
    const isCoveredBy = (leaf: string, row: TableRow) => leaf === row.key || leaf.startsWith(`${row.key}.`);

    const uncovered = leafPaths(values).filter((leaf) => !rows.some((row) => isCoveredBy(leaf, row)));
    const coveredTwice = leafPaths(values).filter((leaf) => rows.filter((row) => isCoveredBy(leaf, row)).length > 1);

    expect(uncovered).toEqual([]);
    expect(coveredTwice).toEqual([]);
  });

  it('documents no key that values.yaml lacks', () => {
    const unknown = rows.filter((row) => valueAt(row.key) === undefined).map((row) => row.key);

    expect(rows.length).toBeGreaterThan(50);
    expect(unknown).toEqual([]);
  });

  it('gives every key its default from values.yaml, and a meaning', () => {
    const wrong = rows
      .filter((row) => row.defaultValue !== JSON.stringify(valueAt(row.key)))
      .map((row) => `${row.key}: documented ${row.defaultValue}, values.yaml has ${JSON.stringify(valueAt(row.key))}`);

    expect(wrong).toEqual([]);
    expect(rows.filter((row) => row.meaning.trim().length < 10).map((row) => row.key)).toEqual([]);
  });

  it('shows the quickstart the API prints, for the port-forwarded API', () => {
    const printed = quickstartOf('http://127.0.0.1:8080');
    const block = (text: string) =>
      text.slice(text.indexOf(quickstartStart), text.indexOf(quickstartEnd) + quickstartEnd.length);

    expect(block(installDoc)).toBe(block(printed));
  });
});
