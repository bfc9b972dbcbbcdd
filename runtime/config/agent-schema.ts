import { z } from 'zod';

// The `astromesh/v1` Agent document, in the upstream format so existing agent files keep
// working (../shared/research/astromesh.md, section 2). One schema serves three readers: the
// runtime loads YAML with it, the Cloud API's compiler emits it, and the CloudAgent CRD embeds
// it. That last reader is why there are no unions here: a Kubernetes structural schema cannot
// express them, so alternatives are optional fields plus a rule (refine + CEL) saying which
// combinations are valid.

// Every string, list and map is bounded: the API server prices CEL rules by the worst case, and
// a runtime should never have to hold an unbounded agent config.
function boundedRecord<V extends z.ZodType>(value: V, maxEntries: number) {
  return z
    .record(z.string().max(63), value)
    .refine((record) => Object.keys(record).length <= maxEntries, { message: `at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries });
}

/**
 * Settings passed through as they are (provider parameters, tool config, a client tool's JSON
 * Schema). The CRD can bound only their top level (maxProperties): their depth, NULs and size are
 * checked on every document by findAgentValueProblem.
 */
function freeFormMap(maxEntries: number) {
  return z
    .record(z.string(), z.unknown())
    .refine((record) => Object.keys(record).length <= maxEntries, { message: `at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries });
}

export const AgentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" or "_", starting with a letter or digit')
  .describe('Agent id; the Cloud API uses {org_slug}__{agent_name}.');

export const ProviderName = z
  .enum(['openai', 'anthropic', 'groq', 'mistral', 'cohere', 'ollama', 'openai_compat'])
  .describe('Model provider; openai_compat speaks OpenAI Chat Completions at `endpoint`.');
export type ProviderName = z.infer<typeof ProviderName>;

const EnvVarName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

// What a model block's `source` (upstream's newer key) or `provider` (its older one) may say.
// litellm is upstream's gateway to other vendors: here a `vendor/model` name is routed to our own
// provider for that vendor (runtime/router/resolve-model-block.ts), so there is no litellm process.
// vllm, hf_tgi and llamacpp are servers that speak OpenAI's chat API under /v1 (upstream's
// adapters post to {endpoint}/v1/chat/completions); they are served by the openai_compat provider.
// Upstream lowercases the name; the loader does too (normalizeModelSources) before this runs.
export const modelSources = [
  'openai',
  'openai_compat',
  'azure_openai',
  'ollama',
  'anthropic',
  'groq',
  'mistral',
  'cohere',
  'litellm',
  'vllm',
  'hf_tgi',
  'llamacpp',
] as const;
// Upstream provider types that cannot be served here, and why (named in the load error).
const unservableSources: Record<string, string> = {
  centinela: "upstream's Centinela classifiers constrain answers to a label contract, which astromeshd does not run",
  onnx: 'ONNX models run inside upstream’s process; astromeshd calls model servers only',
};
export const ModelSource = z
  .enum(modelSources, {
    error: (issue) => {
      const name = String(issue.input);
      const why = Object.hasOwn(unservableSources, name) ? ` (${unservableSources[name]})` : '';
      return `source ${JSON.stringify(issue.input)} is not supported${why}; supported: ${modelSources.join(', ')}`;
    },
  })
  .describe('Where the model is served; litellm takes a vendor/model name.');
export type ModelSource = z.infer<typeof ModelSource>;

export const ModelBlock = z
  .object({
    source: ModelSource.optional().describe(
      'Upstream’s newer name for provider. Neither given: litellm for a vendor/model name, else openai_compat (upstream’s fallback).',
    ),
    provider: ModelSource.optional(),
    providerRef: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .describe('An entry of a ProviderConfig file (providers*.yaml beside the agents); the block’s own keys win.'),
    model: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Model name as the provider knows it, e.g. gpt-6-luna, or vendor/model for litellm.'),
    endpoint: z.url().max(2048).optional().describe('Base URL of the provider API (Ollama host, gateway).'),
    api_key_env: EnvVarName.optional().describe('Environment variable holding the key; keys never live in YAML.'),
    timeout: z.number().positive().max(3600).optional().describe('Per-call timeout in seconds.'),
    temperature: z.number().min(0).max(2).optional().describe('Shorthand; parameters.temperature wins.'),
    max_tokens: z.int().positive().max(1_000_000).optional().describe('Shorthand; parameters.max_tokens wins.'),
    parameters: freeFormMap(64).optional().describe('Extra provider parameters (top_p, stop, temperature…).'),
    deployment: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"')
      .optional()
      .describe('azure_openai: the deployment name; defaults to model.'),
    api_version: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9.-]+$/, 'must be letters, digits, "." or "-"')
      .optional()
      .describe('azure_openai: the api-version query parameter.'),
  })
  .refine((block) => block.source === undefined || block.provider === undefined || block.source === block.provider, {
    message: 'source and provider disagree; give one of them',
    path: ['provider'],
  })
  .refine((block) => block.model !== undefined || block.providerRef !== undefined, {
    message: 'model is required unless providerRef names it',
    path: ['model'],
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.source) || !has(self.provider) || self.source == self.provider',
        message: 'source and provider disagree; give one of them',
      },
      { rule: 'has(self.model) || has(self.providerRef)', message: 'model is required unless providerRef names it' },
    ],
  })
  .describe('One model candidate.');
export type ModelBlock = z.infer<typeof ModelBlock>;

export const RoutingStrategy = z.enum([
  'cost_optimized',
  'latency_optimized',
  'round_robin',
  'capability_match',
  'quality_first',
]);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

const CandidateGroup = z.object({
  candidates: z.array(ModelBlock).min(1).max(8).describe('Tried in order, after the strategy has ranked them.'),
  strategy: RoutingStrategy.optional(),
});

export const ModelSpec = z
  .object({
    primary: ModelBlock.optional(),
    fallback: ModelBlock.optional(),
    // Upstream's legacy form also takes more candidates by alias (runtime/engine.py appends them
    // after primary and fallback), so they are candidates here too.
    extra: boundedRecord(ModelBlock, 8)
      .optional()
      .describe('More candidates by alias, tried after primary and fallback (upstream’s legacy form).'),
    routing: z.object({ strategy: RoutingStrategy.optional() }).optional(),
    default: CandidateGroup.optional(),
    roles: boundedRecord(CandidateGroup, 16).optional().describe('Candidates per orchestration role.'),
  })
  .refine((model) => model.primary !== undefined || model.default !== undefined, {
    message: 'either primary or default must be set',
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'has(self.primary) || has(self.default)', message: 'either primary or default must be set' },
    ],
  })
  .describe('Models, in the primary/fallback form or the default/roles form.');
export type ModelSpec = z.infer<typeof ModelSpec>;

// Upstream's seven patterns; an unknown name is refused, never a silent react.
export const OrchestrationPattern = z.enum([
  'react',
  'plan_and_execute',
  'parallel_fan_out',
  'pipeline',
  'supervisor',
  'swarm',
  'glyph',
]);
export type OrchestrationPattern = z.infer<typeof OrchestrationPattern>;

export const ToolSpec = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, "_" or "-"'),
  type: z
    .enum(['builtin', 'agent', 'client', 'mcp'])
    .default('builtin')
    .describe("mcp: an MCP server (its settings in config) whose tools the model is offered as '<name>__<tool>'."),
  description: z.string().max(1024).optional(),
  agent: z.string().max(128).optional().describe('For type agent: the agent this tool runs.'),
  config: freeFormMap(64)
    .optional()
    .describe('Tool settings (allowed_paths, allow_localhost…); for type mcp, the server (url or command…).'),
  parameters: freeFormMap(64)
    .optional()
    .describe('For types agent and client: the JSON Schema of the arguments (or just its properties).'),
  context_transform: z
    .string()
    .max(4096)
    .optional()
    .describe(
      "For type agent: a mapping over `data` (the call's arguments), e.g. {score: data.score}; the called agent's prompt variables.",
    ),
  max_result_tokens: z
    .int()
    .positive()
    .max(1_000_000)
    .optional()
    .describe("Token budget of this tool's result as the model reads it; unset: orchestration.max_tool_result_tokens."),
  rate_limit: z
    .object({
      // Unset: upstream 0.74.1's defaults (core/tools.py), 10 calls per 60 s.
      window_seconds: z.int().positive().max(86_400).default(60),
      max_calls: z.int().positive().max(100_000).default(10),
    })
    .optional(),
});
export type ToolSpec = z.infer<typeof ToolSpec>;

export const GuardrailSpec = z.object({
  // pii_filter and content_safety are the Cloud wizard's names for pii_detection and content_filter.
  type: z.enum([
    'pii_detection',
    'pii_filter',
    'topic_filter',
    'max_length',
    'cost_limit',
    'content_filter',
    'content_safety',
  ]),
  // warn: upstream 0.74.1's topic_filter action that lets the input through and records the match.
  action: z.enum(['redact', 'block', 'truncate', 'warn']).optional(),
  max_chars: z.int().positive().max(1_000_000).optional(),
  max_tokens_per_turn: z.int().positive().max(1_000_000).optional(),
  blocked_topics: z.array(z.string().min(1).max(256)).max(100).optional(),
  blocked_patterns: z.array(z.string().min(1).max(512)).max(100).optional(),
  // Upstream 0.74.1's other names (core/guardrails.py): literal keywords beside content_filter's
  // patterns, and topic_filter's topics.
  forbidden_keywords: z
    .array(z.string().min(1).max(256))
    .max(100)
    .optional()
    .describe('content_filter: words filtered as written, any case.'),
  forbidden_topics: z
    .array(z.string().min(1).max(256))
    .max(100)
    .optional()
    .describe('topic_filter: as blocked_topics.'),
});
export type GuardrailSpec = z.infer<typeof GuardrailSpec>;

// RAG and semantic memory (seed 002). Upstream's embeddings block, shared by `kind: RAGPipeline`
// files (runtime/rag) and memory.semantic; upstream's hf and sentence_transformer run models
// in-process, which this runtime does not, so they are load errors naming the supported ones.
export const embeddingProviders = ['ollama', 'openai', 'openai_compat'] as const;
export const EmbeddingsSpec = z.object({
  provider: z.enum(embeddingProviders, {
    error: (issue) =>
      `embeddings provider ${JSON.stringify(issue.input)} is not supported; supported: ${embeddingProviders.join(', ')}`,
  }),
  model: z.string().min(1).max(256),
  endpoint: z
    .string()
    .max(2048)
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
    .optional()
    .describe("Unset: the provider's base URL credential (OLLAMA_BASE_URL, OPENAI_BASE_URL…)."),
  api_key_env: z
    .string()
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a credential name')
    .optional(),
  dimension: z.int().positive().max(16_384).optional().describe('Checked against what the model returns.'),
});
export type EmbeddingsSpec = z.infer<typeof EmbeddingsSpec>;

// Where memory.semantic keeps its vectors. Upstream 0.74.1 (memory/factory.py) runs chromadb
// in-process and pgvector at `connection.url`; here chromadb without `host` is the embedded store
// (in-process like upstream's, but durable under --data-dir), with `host` a Chroma server, and
// pgvector's URL may come from a credential (`connection.url_env`) so no password lives in YAML.
// Upstream's faiss and qdrant are load errors that list these.
export const vectorStoreBackends = ['sqlite', 'pgvector', 'chromadb', 'chroma'] as const;
const semanticBackendsText =
  'sqlite (embedded, a file under --data-dir), pgvector (PostgreSQL at connection.url or connection.url_env), chromadb or chroma (embedded, or a Chroma server at host and port)';
export const VectorStoreBackend = z.enum(vectorStoreBackends, {
  error: (issue) =>
    `vector store backend ${JSON.stringify(issue.input)} is not supported by this runtime; supported: ${semanticBackendsText}`,
});
const semanticServerKeys = ['connection', 'host', 'port', 'ssl', 'tenant', 'database'] as const;
const semanticKeysOf: Record<(typeof vectorStoreBackends)[number], readonly string[]> = {
  sqlite: [],
  pgvector: ['connection'],
  chromadb: ['host', 'port', 'ssl', 'tenant', 'database'],
  chroma: ['host', 'port', 'ssl', 'tenant', 'database'],
};

export const SemanticMemorySpec = z
  .object({
    backend: VectorStoreBackend.optional().describe('Unset: sqlite.'),
    // Upstream before 0.74 never attached a semantic backend, so its files could leave this out.
    embeddings: EmbeddingsSpec.optional().describe(
      'Unset: semantic memory is off (the load warns), as upstream ran it until 0.74.',
    ),
    connection: z
      .object({
        url: z
          .string()
          .max(2048)
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
          .optional()
          .describe("pgvector: upstream's connection string."),
        url_env: z
          .string()
          .max(128)
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a credential name')
          .optional()
          .describe('pgvector: the credential holding the connection string.'),
      })
      .optional()
      .describe('pgvector: where the PostgreSQL is; one of url and url_env.'),
    dimension: z
      .int()
      .positive()
      .max(16_384)
      .optional()
      .describe("Upstream's vector size; checked against what the model returns, as embeddings.dimension."),
    host: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('chromadb: a Chroma server’s host (unset: the embedded store).'),
    port: z.int().min(1).max(65_535).optional().describe('chromadb: its port (default 8000).'),
    ssl: z.boolean().optional().describe('chromadb: https instead of http.'),
    tenant: z.string().min(1).max(128).optional().describe('chromadb: default_tenant unless set.'),
    database: z.string().min(1).max(128).optional().describe('chromadb: default_database unless set.'),
    similarity_threshold: z
      .number()
      .min(-1)
      .max(1)
      .optional()
      .describe('Recall keeps memories at least this similar (default 0.75).'),
    max_results: z
      .int()
      .positive()
      .max(100)
      .optional()
      .describe('Recall puts at most this many in the prompt (default 10).'),
  })
  .superRefine((memory, context) => {
    const own = semanticKeysOf[memory.backend ?? 'sqlite'];
    for (const key of semanticServerKeys) {
      if (memory[key] !== undefined && !own.includes(key)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is not a key of the ${memory.backend ?? 'sqlite'} backend; its keys: ${own.join(', ') || 'none'}`,
        });
      }
    }
    if (
      memory.backend === 'pgvector' &&
      (memory.connection?.url === undefined) === (memory.connection?.url_env === undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['connection'],
        message: 'the pgvector backend needs one of connection.url and connection.url_env (a credential holding it)',
      });
    }
    // The password would live in the agent file (and in every copy of it): credentials go by name.
    const url = memory.connection?.url;
    if (url !== undefined && URL.canParse(url) && new URL(url).password !== '') {
      context.addIssue({
        code: 'custom',
        path: ['connection', 'url'],
        message:
          'a password in connection.url would live in the agent file; put the URL in a credential and name it in connection.url_env',
      });
    }
    if (
      memory.host === undefined &&
      (['port', 'ssl', 'tenant', 'database'] as const).some((key) => memory[key] !== undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['host'],
        message: 'port, ssl, tenant and database are for a Chroma server: give its host',
      });
    }
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "!has(self.connection) || (has(self.backend) && self.backend == 'pgvector')",
        message: 'connection is for the pgvector backend',
      },
      {
        rule: "(!has(self.host) && !has(self.port) && !has(self.ssl) && !has(self.tenant) && !has(self.database)) || (has(self.backend) && (self.backend == 'chromadb' || self.backend == 'chroma'))",
        message: 'host, port, ssl, tenant and database are for the chromadb backend',
      },
      {
        rule: "!has(self.backend) || self.backend != 'pgvector' || (has(self.connection) && has(self.connection.url) != has(self.connection.url_env))",
        message: 'the pgvector backend needs one of connection.url and connection.url_env',
      },
      {
        rule: 'has(self.host) || (!has(self.port) && !has(self.ssl) && !has(self.tenant) && !has(self.database))',
        message: 'port, ssl, tenant and database are for a Chroma server: give its host',
      },
    ],
  })
  .describe('Each finished turn, embedded and kept with its session and time; recalled by similarity to the query.');

export const MemorySpec = z.object({
  conversational: z
    .object({
      backend: z
        .enum(['memory', 'in_memory', 'sqlite', 'redis', 'postgres'])
        .optional()
        .describe(
          'Where turns are kept (in_memory is memory); unset means postgres when the runtime has a database, else memory.',
        ),
      strategy: z.enum(['sliding_window', 'summary', 'token_budget']).optional(),
      max_turns: z.int().positive().max(1000).optional(),
      window_size: z.int().positive().max(1000).optional(),
      max_tokens: z.int().positive().max(1_000_000).optional(),
      ttl: z.int().positive().max(31_536_000).optional().describe('Seconds a session is kept after its last turn.'),
      path: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe("sqlite only: the database file, relative to the runtime's --data-dir."),
      // Upstream's key for the Redis URL (memory/factory.py reads connection.url).
      connection: z
        .object({
          url: z
            .string()
            .max(2048)
            .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
            .optional()
            .describe('redis only; unset means the REDIS_URL credential.'),
        })
        .optional(),
    })
    .refine((memory) => memory.path === undefined || memory.backend === 'sqlite', {
      message: 'path is for the sqlite backend',
      path: ['path'],
    })
    .refine((memory) => memory.connection === undefined || memory.backend === 'redis', {
      message: 'connection is for the redis backend',
      path: ['connection'],
    })
    .meta({
      'x-kubernetes-validations': [
        {
          rule: "!has(self.path) || (has(self.backend) && self.backend == 'sqlite')",
          message: 'path is for the sqlite backend',
        },
        {
          rule: "!has(self.connection) || (has(self.backend) && self.backend == 'redis')",
          message: 'connection is for the redis backend',
        },
      ],
    })
    .optional(),
  semantic: SemanticMemorySpec.optional(),
});
export type MemorySpec = z.infer<typeof MemorySpec>;

export const AgentSpec = z.object({
  identity: z
    .object({
      display_name: z.string().max(128).optional(),
      description: z.string().max(1024).optional(),
      avatar: z.string().max(256).optional(),
    })
    .optional(),
  model: ModelSpec,
  prompts: z
    .object({
      system: z.string().max(100_000).optional(),
      templates: boundedRecord(z.string().max(100_000), 64).optional(),
      context: z
        .string()
        .max(100_000)
        .optional()
        .describe(
          "Upstream's per-turn context: rendered like system at each run and put before the query (after the " +
            'system prompt for supervisor and swarm).',
        ),
    })
    .optional(),
  orchestration: z
    .object({
      pattern: OrchestrationPattern.default('react'),
      max_iterations: z.int().min(1).max(100).default(10),
      timeout_seconds: z.int().min(1).max(3600).optional(),
      max_handoffs: z
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe('swarm: how many hand-offs one chain of agents may make (upstream default 3).'),
      narrate: z
        .boolean()
        .optional()
        .describe('glyph: a last model call words the result (default true); false answers with the result as JSON.'),
      max_repairs: z
        .int()
        .min(0)
        .max(10)
        .optional()
        .describe('glyph: rounds in which the model fixes an invalid program (upstream default 2).'),
      max_tool_result_tokens: z
        .int()
        .positive()
        .max(1_000_000)
        .optional()
        .describe("Token budget of a tool's result as the model reads it; larger ones are cut (default 8000)."),
      role_map: boundedRecord(z.string().min(1).max(63), 16)
        .optional()
        .describe(
          "A pattern's role (planner, worker, synthesizer, reasoner, supervisor, stage:…) → the model.roles entry that serves it.",
        ),
    })
    .optional(),
  program: z
    .string()
    .min(1)
    .max(20_000)
    .optional()
    .describe('glyph: a fixed Glyph program over the tools, run instead of one the model writes.'),
  tools: z.array(ToolSpec).max(64).optional(),
  memory: MemorySpec.optional(),
  knowledge: z
    .object({
      pipeline: z.string().min(1).max(128).optional().describe('The metadata.name of a kind: RAGPipeline file.'),
      top_k: z
        .int()
        .min(1)
        .max(50)
        .optional()
        .describe("Chunks put into the prompt; unset: the pipeline's retrieval.top_k, else 5."),
      bundle: z
        .string()
        .min(1)
        .max(1_024)
        .optional()
        .describe(
          'An Open Knowledge Format bundle directory, relative to the agents directory or the data directory; ' +
            'gives the agent kb_index, kb_read, kb_find and {{ bundle_index }}.',
        ),
    })
    .optional(),
  output_schema: freeFormMap(64)
    .optional()
    .describe(
      "A JSON Schema (or upstream's shorthand: its properties) for a JSON block at the end of the answer; " +
        'the run returns it parsed and checked as data, or why not as data_error.',
    ),
  permissions: z
    .object({
      allowed_actions: z
        .array(z.string().min(1).max(128))
        .max(64)
        .optional()
        .describe('Tool names (shell-style patterns) the agent may offer and run; unset: all.'),
      denied_actions: z
        .array(z.string().min(1).max(128))
        .max(64)
        .optional()
        .describe('Tool names (shell-style patterns) taken away from what allowed_actions gives.'),
    })
    .optional()
    .describe("Upstream's permissions: which of the agent's tools the model is offered and may call."),
  guardrails: z
    .object({
      input: z.array(GuardrailSpec).max(32).optional(),
      output: z.array(GuardrailSpec).max(32).optional(),
    })
    .optional(),
});
export type AgentSpec = z.infer<typeof AgentSpec>;

export const AgentDocument = z.object({
  // astromech/v1: upstream's name before its rename (its v0.1 files), whose loader never checked it.
  apiVersion: z.enum(['astromesh/v1', 'astromech/v1']),
  kind: z.literal('Agent'),
  metadata: z.object({
    name: AgentId,
    version: z.string().max(64).optional(),
    namespace: z.string().max(63).optional(),
    labels: boundedRecord(z.string().max(256), 64).optional(),
  }),
  spec: AgentSpec,
});
export type AgentDocument = z.infer<typeof AgentDocument>;
