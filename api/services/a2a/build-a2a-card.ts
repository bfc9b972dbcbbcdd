import type { A2aAgentCard } from '../../schemas/a2a.ts';
import type { AgentRecord } from '../../stores/agents-store.ts';

const textModes = ['text/plain'];

/** The A2A v1.0 agent card of a deployed agent: one skill (the agent), text in and out, our credentials. */
export function buildA2aCard(input: {
  agent: AgentRecord;
  orgSlug: string;
  /** The agent's JSON-RPC endpoint, absolute, as the caller reached the API. */
  endpointUrl: string;
  origin: string;
}): A2aAgentCard {
  const { agent, orgSlug, endpointUrl } = input;
  const description = `${agent.displayName}: an Astromesh agent of org '${orgSlug}'. Send it a text message; it answers in text.`;
  return {
    name: agent.name,
    description,
    version: String(agent.version ?? 1),
    // One endpoint, both versions: v1.0 method names, and v0.3's (message/send...) for older clients.
    supportedInterfaces: [
      { url: endpointUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: endpointUrl, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    provider: { organization: orgSlug, url: input.origin },
    capabilities: { streaming: true, pushNotifications: false },
    // The API's own credentials: what every org route takes (README: "A2A").
    securitySchemes: {
      apiKey: {
        apiKeySecurityScheme: {
          location: 'header',
          name: 'X-API-Key',
          description: "An API key of the agent's org (ask-…)",
        },
      },
      bearer: {
        httpAuthSecurityScheme: {
          scheme: 'Bearer',
          description: 'An API key (Bearer ask-…) or an access token of a member',
        },
      },
    },
    securityRequirements: [{ schemes: { apiKey: { list: [] } } }, { schemes: { bearer: { list: [] } } }],
    defaultInputModes: textModes,
    defaultOutputModes: textModes,
    skills: [
      {
        id: agent.name,
        name: agent.displayName,
        description,
        tags: ['astromesh'],
        inputModes: textModes,
        outputModes: textModes,
      },
    ],
  };
}
