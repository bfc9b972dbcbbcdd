import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOperatorOptions, UsageError } from './cli-options.ts';

const settingsFile = (yaml: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'operator-options-')), 'settings.yaml');
  writeFileSync(file, yaml);
  return file;
};

describe('the operator command line', () => {
  it('runs on defaults once it knows the runtime image', () => {
    const options = parseOperatorOptions(['--runtime-image', 'astromesh:1'], {});
    expect(options).toMatchObject({
      leaseNamespace: 'astromesh-system',
      leaderElect: true,
      leaseName: 'astromesh-operator',
      port: 8080,
      workers: 4,
      resyncIntervalMs: 300_000,
      settings: { image: 'astromesh:1', replicas: 1 },
    });
  });

  it('takes the environment, and a flag over it', () => {
    const env = {
      ASTROMESH_RUNTIME_IMAGE: 'from-env:1',
      POD_NAMESPACE: 'platform',
      ASTROMESH_LEADER_ELECT: 'false',
      POD_NAME: 'op-0',
    };
    expect(parseOperatorOptions([], env)).toMatchObject({
      settings: { image: 'from-env:1' },
      leaseNamespace: 'platform',
      leaderElect: false,
      identity: 'op-0',
    });
    expect(parseOperatorOptions(['--runtime-image=flag:2'], env)).toMatchObject({ settings: { image: 'flag:2' } });
  });

  it('reads the runtime settings file, the image flag overriding it', () => {
    const file = settingsFile('image: file:1\nreplicas: 2\nruntimeClassName: gvisor\n');
    expect(parseOperatorOptions(['--runtime-settings', file], {})).toMatchObject({
      settings: { image: 'file:1', replicas: 2, runtimeClassName: 'gvisor' },
    });
    expect(parseOperatorOptions(['--runtime-settings', file, '--runtime-image', 'flag:3'], {})).toMatchObject({
      settings: { image: 'flag:3', replicas: 2 },
    });
  });

  it.each([
    [['--port', '99999', '--runtime-image', 'x'], {}, "--port: '99999' is not a whole number from 0 to 65535"],
    [['--workers', 'many', '--runtime-image', 'x'], {}, "--workers: 'many' is not a whole number from 1 to 64"],
    [
      [],
      { ASTROMESH_LEADER_ELECT: 'yes', ASTROMESH_RUNTIME_IMAGE: 'x' },
      'ASTROMESH_LEADER_ELECT: must be true or false',
    ],
    [[], {}, 'no runtime image: give --runtime-image (ASTROMESH_RUNTIME_IMAGE) or image in --runtime-settings'],
    [['--log-level', 'loud', '--runtime-image', 'x'], {}, '--log-level: must be one of'],
  ])('refuses %j %j with a message naming the option', (argv, env, message) => {
    expect(() => parseOperatorOptions(argv, env)).toThrow(UsageError);
    expect(() => parseOperatorOptions(argv, env)).toThrow(message);
  });

  it('names the field of a bad settings file', () => {
    const file = settingsFile('image: x\nreplicas: 0\n');
    expect(() => parseOperatorOptions(['--runtime-settings', file], {})).toThrow(/--runtime-settings: replicas: /);
    const notYaml = settingsFile('- just\n- a list\n');
    expect(() => parseOperatorOptions(['--runtime-settings', notYaml], {})).toThrow('must hold a YAML mapping');
    expect(() => parseOperatorOptions(['--runtime-settings', '/nonexistent.yaml'], {})).toThrow(
      'cannot read /nonexistent.yaml',
    );
  });
});
