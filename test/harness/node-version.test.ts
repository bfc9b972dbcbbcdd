import { describe, expect, it } from 'vitest';

describe('the Node.js the project pins', () => {
  it('runs the tests on Node.js 24, whatever Node.js started npm', () => {
    const major = Number(process.versions.node.split('.')[0]);

    expect(major).toBe(24);
  });
});
