import { describe, expect, it } from 'vitest';
import { type ChartValues, HelmFailed, templateChart } from '../support/helm-chart.ts';

/** What helm says when it refuses to render `values`. */
async function refusal(values: ChartValues): Promise<string> {
  try {
    await templateChart({ values });
  } catch (err) {
    if (err instanceof HelmFailed) return err.stderr;
    throw err;
  }
  throw new Error(`helm rendered ${JSON.stringify(values)}`);
}

describe('values.schema.json and the chart’s own checks', () => {
  it('refuses a key the chart does not know, naming it', async () => {
    const message = await refusal({ api: { replica: 3 } });

    expect(message).toContain("at '/api': additional properties 'replica' not allowed");
  });

  it('refuses zero API replicas', async () => {
    const message = await refusal({ api: { replicas: 0 } });

    expect(message).toContain("at '/api/replicas': minimum: got 0, want 1");
  });

  it('refuses zero background runs per replica and a schedule interval that is not a whole number of seconds', async () => {
    const noRuns = await refusal({ api: { backgroundRuns: { maxPerReplica: 0 } } });
    const fractional = await refusal({ api: { schedules: { minIntervalSeconds: 0.5 } } });

    expect(noRuns).toContain("at '/api/backgroundRuns/maxPerReplica': minimum: got 0, want 1");
    expect(fractional).toContain("at '/api/schedules/minIntervalSeconds'");
  });

  it('refuses a model price without its output price, or keyed without a provider', async () => {
    const missing = await refusal({ api: { modelPrices: { 'openai/gpt-6-luna': { input: 0.1 } } } });
    const unkeyed = await refusal({ api: { modelPrices: { 'gpt-6-luna': { input: 0.1, output: 0.5 } } } });

    expect(missing).toContain("at '/api/modelPrices/openai~1gpt-6-luna': missing property 'output'");
    // helm's validator names the key but not always its place (it printed another value's path).
    expect(unkeyed).toContain("invalid propertyName 'gpt-6-luna'");
  });

  it('refuses more runtime replicas than the operator allows', async () => {
    const message = await refusal({ runtime: { replicas: 11 } });

    expect(message).toContain("at '/runtime/replicas': maximum: got 11, want 10");
  });

  it('refuses a runtime quota that is not a Kubernetes quantity', async () => {
    const message = await refusal({ runtime: { quota: { limitsMemory: '4 gigabytes' } } });

    expect(message).toContain("at '/runtime/quota/limitsMemory'");
    expect(message).toContain("'4 gigabytes' does not match pattern");
  });

  it('refuses a runtime data size limit that is not a Kubernetes quantity', async () => {
    const message = await refusal({ runtime: { dataSizeLimit: 'lots' } });

    expect(message).toContain("at '/runtime/dataSizeLimit'");
    expect(message).toContain("'lots' does not match pattern");
  });

  it('refuses an unknown database mode, listing the known ones', async () => {
    const message = await refusal({ database: { mode: 'embedded' } });

    expect(message).toContain("at '/database/mode': value must be one of 'bundled', 'external'");
  });

  it('refuses an unknown image pull policy', async () => {
    const message = await refusal({ image: { pullPolicy: 'Sometimes' } });

    expect(message).toContain("at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'");
  });

  it('refuses an egress allowance that is neither a CIDR nor a namespace', async () => {
    const message = await refusal({ runtime: { egressAllow: [{ host: 'ollama.local', port: 11434 }] } });

    expect(message).toContain("at '/runtime/egressAllow/0'");
  });

  it('refuses an egress CIDR that is not one', async () => {
    const message = await refusal({ runtime: { egressAllow: [{ cidr: '10.300.0.0/16' }] } });

    expect(message).toContain("at '/runtime/egressAllow/0/cidr': '10.300.0.0/16' does not match pattern");
  });

  it('refuses a RuntimeClass name that is not a Kubernetes name', async () => {
    const message = await refusal({ runtime: { runtimeClassName: 'gVisor Sandbox' } });

    expect(message).toContain("at '/runtime/runtimeClassName'");
  });

  it('asks for the Secret of an external database', async () => {
    const message = await refusal({ database: { mode: 'external' } });

    expect(message).toContain('database.external.existingSecret: required when database.mode is external');
  });

  it('asks for the memory admin URL key of an external database while memory is on', async () => {
    const message = await refusal({
      database: { mode: 'external', external: { existingSecret: 'db', memoryAdminUrlKey: '' } },
    });

    expect(message).toContain('database.external.memoryAdminUrlKey: required while memory.enabled is true');
  });

  it('refuses an autoscaler whose minimum exceeds its maximum', async () => {
    const message = await refusal({ api: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } });

    expect(message).toContain('api.autoscaling.minReplicas (5) must not exceed api.autoscaling.maxReplicas (2)');
  });

  it('refuses TLS at the Ingress without a host', async () => {
    const message = await refusal({ api: { ingress: { enabled: true, tlsSecretName: 'cloud-tls' } } });

    expect(message).toContain('api.ingress.host: required when api.ingress.tlsSecretName is set');
  });
});
