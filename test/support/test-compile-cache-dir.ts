import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Node's compile cache for the org runtimes the tests start. Each test API has a state directory
 * of its own, whose compile cache would start empty: shared, the modules of a runtime are
 * compiled once a run (about a third of a runtime's start-up). Entries are keyed by the source's
 * hash, so a changed file is compiled afresh; Node recommends a directory under os.tmpdir().
 */
export const testCompileCacheDir = join(tmpdir(), 'astromesh-test-compile-cache');
