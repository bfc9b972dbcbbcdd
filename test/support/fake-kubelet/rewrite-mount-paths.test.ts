import { describe, expect, it } from 'vitest';
import { rewriteMountPaths } from './rewrite-mount-paths.ts';

const mounts = [
  { mountPath: '/etc/astromesh', localPath: '/tmp/pod/volumes/config' },
  { mountPath: '/etc/astromesh/agents', localPath: '/tmp/pod/volumes/agents' },
];

describe('rewriteMountPaths', () => {
  it('points a mount path at the local folder of the volume', () => {
    expect(rewriteMountPaths('/etc/astromesh/agents', mounts)).toBe('/tmp/pod/volumes/agents');
  });

  it('prefers the longest mount path and keeps the rest of the path', () => {
    expect(rewriteMountPaths('/etc/astromesh/agents/bot.yaml', mounts)).toBe('/tmp/pod/volumes/agents/bot.yaml');
    expect(rewriteMountPaths('/etc/astromesh/runtime.yaml', mounts)).toBe('/tmp/pod/volumes/config/runtime.yaml');
  });

  it('rewrites the value of a --flag=path argument', () => {
    expect(rewriteMountPaths('--config=/etc/astromesh/runtime.yaml', mounts)).toBe(
      '--config=/tmp/pod/volumes/config/runtime.yaml',
    );
  });

  it('leaves paths that only share a prefix alone', () => {
    expect(rewriteMountPaths('/etc/astromesh-other/x', mounts)).toBe('/etc/astromesh-other/x');
    expect(rewriteMountPaths('http://host/etc/astromesh', mounts)).toBe('http://host/etc/astromesh');
  });
});
