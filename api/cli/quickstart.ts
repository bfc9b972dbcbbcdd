import { defaultModel } from '../catalogue/suggested-models.ts';

// What `npm start` prints once the API listens: where Studio and the API are, and a bash session that signs in,
// creates an agent, adds a provider key, deploys and runs it. A test runs this very text against
// a started API, so every command here works as printed.

export const quickstartStart = '# --- quickstart ---';
export const quickstartEnd = '# --- end of quickstart ---';

/** The quickstart for an API at `baseUrl` (`http://127.0.0.1:8080`). */
export function quickstartOf(baseUrl: string): string {
  const json = "-H 'Content-Type: application/json'";
  const auth = '-H "Authorization: Bearer $TOKEN"';
  return [
    '',
    `Astromesh Studio: ${baseUrl}/studio/  (open it in a browser and sign in)`,
    `Astromesh Cloud API: ${baseUrl}/api/v1`,
    `  OpenAPI ${baseUrl}/api/v1/openapi.json · health ${baseUrl}/healthz · ${baseUrl}/readyz · metrics ${baseUrl}/metrics`,
    '',
    'Quickstart: paste into bash (needs curl and node). Set OPENAI_API_KEY first, and OPENAI_BASE_URL too',
    'for an OpenAI-compatible server.',
    '',
    quickstartStart,
    `API=${baseUrl}/api/v1`,
    `json() { node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }`,
    '# 1. Sign in (dev login): creates the user and an org of its own the first time',
    `LOGIN=$(curl -sS -X POST "$API/auth/dev/login" ${json} -d '{"email": "you@example.com", "name": "You"}')`,
    'TOKEN=$(printf %s "$LOGIN" | json access_token); ORG=$(printf %s "$LOGIN" | json org_slug)',
    '# 2. Create an agent (a draft)',
    `curl -sS -w '\\n' -X POST "$API/orgs/$ORG/agents" ${auth} ${json} \\`,
    // The wizard's default, a model no provider has scheduled for removal (suggested-models.ts).
    `  -d '{"name": "support-bot", "step1": {"model": "${defaultModel}"}, "step2": {"system_prompt": "You are a helpful support agent."}}'`,
    '# 3. Add your OpenAI key (stored encrypted)',
    `curl -sS -w '\\n' -X POST "$API/orgs/$ORG/providers" ${auth} ${json} \\`,
    // A bash expansion, not a template placeholder: base_url is sent only when OPENAI_BASE_URL is set.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: see above
    '  -d "{\\"provider\\": \\"openai\\", \\"api_key\\": \\"$OPENAI_API_KEY\\"${OPENAI_BASE_URL:+, \\"base_url\\": \\"$OPENAI_BASE_URL\\"}}"',
    '# 4. Deploy it',
    `curl -sS -w '\\n' -X POST "$API/orgs/$ORG/agents/support-bot/deploy" ${auth}`,
    '# 5. Run it',
    `curl -sS -w '\\n' -X POST "$API/orgs/$ORG/agents/support-bot/run" ${auth} ${json} \\`,
    `  -d '{"query": "What can you help me with?"}'`,
    quickstartEnd,
    '',
  ].join('\n');
}
