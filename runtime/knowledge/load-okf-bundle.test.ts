import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOkfBundle, okfBundleLimits } from './load-okf-bundle.ts';

const fixtureBundle = new URL('../../test/fixtures/okf/support-kb', import.meta.url).pathname;
const at = new Date('2026-06-01T00:00:00Z');

describe('loadOkfBundle', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** An agents and a data directory side by side, with the fixture bundle at agents/kb. */
  function roots() {
    const dir = mkdtempSync(join(tmpdir(), 'okf-load-'));
    dirs.push(dir);
    const agentsDir = join(dir, 'agents');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    cpSync(fixtureBundle, join(agentsDir, 'kb'), { recursive: true });
    return { dir, agentsDir, dataDir, bundle: join(agentsDir, 'kb') };
  }
  const load = (raw: string, r: ReturnType<typeof roots>) => loadOkfBundle(raw, r, () => at);

  it('loads a well-formed bundle by a path relative to the agents directory, or an absolute one inside it', async () => {
    const r = roots();
    expect(load('kb', r).root).toBe(r.bundle);
    expect(await load(r.bundle, r).index('/')).toContain('* [policies](policies/)');
  });

  it('refuses a concept without type, or with frontmatter that does not parse, naming the file inside the bundle', () => {
    const r = roots();
    writeFileSync(join(r.bundle, 'policies', 'untyped.md'), '---\ntitle: No type\n---\nBody.\n');
    expect(() => load('kb', r)).toThrow('policies/untyped.md: missing type');

    const s = roots();
    writeFileSync(join(s.bundle, 'products', 'broken.md'), '---\ntype: [unclosed\n---\n');
    expect(() => load('kb', s)).toThrow(/^products\/broken\.md: unparseable frontmatter/);

    const t = roots();
    writeFileSync(join(t.bundle, 'products', 'bare.md'), '# No frontmatter at all\n');
    expect(() => load('kb', t)).toThrow('products/bare.md: missing frontmatter');
  });

  it('refuses a concept that is not UTF-8, frontmatter with YAML aliases, and an okf_version it does not read', () => {
    const r = roots();
    writeFileSync(join(r.bundle, 'products', 'latin1.md'), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xe9, 0x0a]));
    expect(() => load('kb', r)).toThrow('products/latin1.md: not UTF-8 text');

    const s = roots();
    writeFileSync(join(s.bundle, 'products', 'alias.md'), '---\ntype: &t Product\ntitle: *t\n---\n');
    expect(() => load('kb', s)).toThrow(/^products\/alias\.md: unparseable frontmatter/);

    const t = roots();
    writeFileSync(join(t.bundle, 'index.md'), '---\nokf_version: "9.0"\n---\n# Index\n');
    expect(() => load('kb', t)).toThrow('index.md: okf_version 9.0 is not one we read (0.1, 0.2)');
  });

  it('refuses a bundle path outside the agents and data directories, also through a symlink, and a symlink inside the bundle that leads out', () => {
    const r = roots();
    expect(() => load('../', r)).toThrow(/^\.\.\/ is outside the agents directory/);
    expect(() => load('/etc', r)).toThrow(/^\/etc is outside the agents directory/);

    mkdirSync(join(r.dir, 'elsewhere'));
    symlinkSync(join(r.dir, 'elsewhere'), join(r.agentsDir, 'linked'));
    expect(() => load('linked', r)).toThrow(
      /^linked resolves through a symlink to .*elsewhere, outside the agents directory/,
    );

    symlinkSync('/etc/hostname', join(r.bundle, 'products', 'host.md'));
    expect(() => load('kb', r)).toThrow('products/host.md: a symlink that leads outside the bundle');
  });

  it("reads upstream's layout: agents in config/agents, the bundle in config/knowledge, named relative to config", () => {
    const r = roots();
    cpSync(fixtureBundle, join(r.dir, 'knowledge', 'okf-demo'), { recursive: true });
    expect(load('knowledge/okf-demo', r).root).toBe(join(r.dir, 'knowledge', 'okf-demo'));
    // Only the knowledge folder of the agents directory's parent, not the parent itself.
    mkdirSync(join(r.dir, 'other'));
    expect(() => load('other', r)).toThrow(/^other is not a directory in the agents directory/);
    expect(() => load(r.dir, r)).toThrow(/is outside the agents directory/);
  });

  /**
   * A bundle of `files` concepts of 1 MiB each (the most one may be): a frontmatter, then a hole
   * (sparse: the disk holds almost nothing, but each file's size and content are 1 MiB).
   */
  function bigBundle(r: ReturnType<typeof roots>, name: string, files: number): string {
    const bundle = join(r.agentsDir, name);
    mkdirSync(bundle);
    for (let i = 0; i < files; i++) {
      const path = join(bundle, `part-${String(i).padStart(2, '0')}.md`);
      writeFileSync(path, `---\ntype: Reference\ntitle: Part ${i}\n---\n`);
      truncateSync(path, okfBundleLimits.maxFileBytes);
    }
    return bundle;
  }

  it('refuses a bundle whose Markdown comes to more than 64 MiB, naming the bundle and the bound', () => {
    const r = roots();
    const bundle = bigBundle(r, 'huge', okfBundleLimits.maxTotalBytes / okfBundleLimits.maxFileBytes);
    writeFileSync(join(bundle, 'zz-one-byte-more.md'), '---\ntype: Note\n---\n');

    expect(() => load('huge', r)).toThrow(
      'bundle huge holds more than 64 MiB (67108864 bytes) of Markdown, the most a bundle may (zz-one-byte-more.md passes it)',
    );
  });

  it('loads a bundle of exactly 64 MiB', () => {
    const r = roots();
    bigBundle(r, 'full', okfBundleLimits.maxTotalBytes / okfBundleLimits.maxFileBytes);

    expect(load('full', r).root).toBe(join(r.agentsDir, 'full'));
  });

  it('takes a relative path from the data directory when the agents directory has no such folder', () => {
    const r = roots();
    cpSync(fixtureBundle, join(r.dataDir, 'bundles', 'support'), { recursive: true });
    expect(load('bundles/support', r).root).toBe(join(r.dataDir, 'bundles', 'support'));
    expect(() => load('bundles/none', r)).toThrow(/^bundles\/none is not a directory in the agents directory/);
  });
});
