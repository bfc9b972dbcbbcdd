import { Agent, request } from 'undici';
import type { RunRequest } from '../../../runtime/engine/run-request.ts';
import type { RuntimeEndpoint } from '../deploy-backend.ts';
import { RuntimeAnswer, type RuntimeProgressEvent } from './runtime-answer.ts';
import { RunCancelled, RuntimeCallFailed, runtimeFailure, runtimeUnreachable } from './runtime-call-failed.ts';
import { streamOnOrgRuntime } from './stream-on-org-runtime.ts';

// The runtime ends a run itself at the agent's orchestration deadline (300 s by default) with a
// 408; waiting a little longer than that keeps its answer from losing a race with our timeout.
const runtimeAnswerTimeoutMs = 330_000;
// A runtime is on this cluster or this machine: a connection takes milliseconds. One not accepted
// in half a second is dropped (a just-woken pod whose network policy and Service rules still lag
// its Ready): trying again on a new connection at once beats the kernel's SYN retransmits at 1 s
// and 3 s, which made a real node's wake wait 3 s after Ready. The query never left, so
// retryUntilRouted sends it again.
const runtimeConnectTimeoutMs = 500;

export interface OrgRuntimeCall {
  endpoint: RuntimeEndpoint;
  /** `{org_slug}__{agent_name}` */
  agentId: string;
  request: RunRequest;
  /** Aborting it cancels the runtime's run and its model request. */
  signal: AbortSignal;
}

/**
 * Runs agents on an org's runtime over its `/v1` API (seed 002), whichever backend started it.
 * Failures come back as `RuntimeCallFailed` in the Cloud API's error codes; a cancelled call as
 * `RunCancelled`.
 */
export function createOrgRuntimeClient() {
  const http = new Agent({
    connect: { timeout: runtimeConnectTimeoutMs },
    headersTimeout: runtimeAnswerTimeoutMs,
    bodyTimeout: runtimeAnswerTimeoutMs,
  });

  return {
    async run(call: OrgRuntimeCall): Promise<RuntimeAnswer> {
      if (call.signal.aborted) throw new RunCancelled({ wasSent: false });
      // Serialised before the call: a body we cannot serialise is our failure, never the runtime's.
      const body = JSON.stringify(call.request);
      let status: number;
      let text: string;
      try {
        // undici's request rather than fetch: the same pool without the WHATWG layers, a run's
        // most frequent hop made cheaper.
        const response = await request(`${call.endpoint.baseUrl}/v1/agents/${encodeURIComponent(call.agentId)}/run`, {
          method: 'POST',
          headers: { authorization: `Bearer ${call.endpoint.token}`, 'content-type': 'application/json' },
          body,
          signal: call.signal,
          dispatcher: http,
        });
        status = response.statusCode;
        text = await response.body.text();
      } catch (err) {
        if (call.signal.aborted) throw new RunCancelled({ wasSent: true });
        throw runtimeUnreachable(err);
      }
      const answer = parseJson(text);
      if (status !== 200) throw runtimeFailure({ status, body: answer });
      return parseAnswer(answer);
    },

    stream: (call: OrgRuntimeCall & { onEvent: (event: RuntimeProgressEvent) => void }) =>
      streamOnOrgRuntime({ ...call, parseAnswer }),

    close: () => http.close(),
  };
}
export type OrgRuntimeClient = ReturnType<typeof createOrgRuntimeClient>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseAnswer(body: unknown): RuntimeAnswer {
  const parsed = RuntimeAnswer.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new RuntimeCallFailed({
    code: 'runtime_error',
    status: 502,
    message: "the org's runtime sent an answer the Cloud API cannot read",
    mayHaveReachedModel: true,
    cause: parsed.error,
  });
}
