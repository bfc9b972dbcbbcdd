import { describe, expect, it } from 'vitest';
import { ContainerConfigError } from './kubelet-types.ts';
import { findImage, planContainerLaunch } from './plan-container-launch.ts';

const runtime = { command: ['/usr/bin/node', '/app/main.ts'] };

describe('findImage', () => {
  it('matches a reference by repository when the tag or digest is not listed', () => {
    const images = { 'ghcr.io/acme/runtime': runtime };

    expect(findImage(images, 'ghcr.io/acme/runtime:1.2.3')).toBe(runtime);
    expect(findImage(images, 'ghcr.io/acme/runtime@sha256:abc')).toBe(runtime);
  });

  it('keeps a registry port apart from the tag', () => {
    expect(findImage({ 'localhost:5000/runtime': runtime }, 'localhost:5000/runtime:dev')).toBe(runtime);
  });

  it('refuses an unknown image with ErrImagePull naming it', () => {
    const refusal = (() => {
      try {
        findImage({}, 'registry.example/unknown:1.0');
      } catch (err) {
        return err;
      }
    })();

    expect(refusal).toBeInstanceOf(ContainerConfigError);
    expect(refusal).toMatchObject({ reason: 'ErrImagePull', message: expect.stringContaining('unknown:1.0') });
  });
});

describe('planContainerLaunch', () => {
  it('appends args to the entrypoint, expands references and rewrites mount paths', () => {
    const launch = planContainerLaunch({
      container: { name: 'runtime', args: ['--host', '$(POD_IP)', '--agents', '/etc/astromesh/agents'] },
      image: runtime,
      env: new Map([
        ['POD_IP', '127.0.0.3'],
        ['CONFIG', '/etc/astromesh/agents/a.yaml'],
      ]),
      mounts: [{ mountPath: '/etc/astromesh/agents', localPath: '/tmp/pod/agents' }],
      podDir: '/tmp/pod',
      baseEnv: { PATH: '/usr/bin' },
    });

    expect(launch).toEqual({
      command: '/usr/bin/node',
      args: ['/app/main.ts', '--host', '127.0.0.3', '--agents', '/tmp/pod/agents'],
      env: { PATH: '/usr/bin', POD_IP: '127.0.0.3', CONFIG: '/tmp/pod/agents/a.yaml' },
      cwd: '/tmp/pod',
    });
  });

  it('lets the container command replace the entrypoint', () => {
    const launch = planContainerLaunch({
      container: { name: 'runtime', command: ['/bin/sh', '-c'], args: ['echo hi'] },
      image: runtime,
      env: new Map(),
      mounts: [],
      podDir: '/tmp/pod',
      baseEnv: {},
    });

    expect([launch.command, ...launch.args]).toEqual(['/bin/sh', '-c', 'echo hi']);
  });

  it('leaves the image entrypoint alone even when it lies under a mount path (a checkout in /tmp)', () => {
    const launch = planContainerLaunch({
      container: { name: 'runtime', args: ['--scratch=/tmp/work'] },
      image: { command: ['/tmp/checkout/node', '/tmp/checkout/runtime/main.ts'] },
      env: new Map(),
      mounts: [{ mountPath: '/tmp', localPath: '/var/pod/tmp' }],
      podDir: '/var/pod',
      baseEnv: {},
    });

    expect([launch.command, ...launch.args]).toEqual([
      '/tmp/checkout/node',
      '/tmp/checkout/runtime/main.ts',
      '--scratch=/var/pod/tmp/work',
    ]);
  });
});
