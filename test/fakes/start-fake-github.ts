import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGithub {
  /** Where users authorize: ASTROMESH_GITHUB_URL. */
  webUrl: string;
  /** The REST API, mounted as GitHub Enterprise does: ASTROMESH_GITHUB_API_URL. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Who is signed in at "GitHub" and approves the next authorization. */
  signInAs(user: FakeGithubUser): void;
  /** Token requests seen, for what they carried. */
  tokenRequests: Record<string, string>[];
  stop(): Promise<void>;
}

interface IssuedCode {
  user: FakeGithubUser;
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

/**
 * GitHub's OAuth web flow on loopback, in GitHub's wire format (docs: "Authorizing OAuth apps",
 * REST "Users" and "Emails"): the authorize redirect, POST /login/oauth/access_token taking a form
 * or JSON and answering JSON or a form by Accept, with refusals as 200s carrying `error`, and
 * GET /user and /user/emails for a bearer token.
 */
export async function startFakeGithub(input: { redirectUri: string }): Promise<FakeGithub> {
  const clientId = `Iv1.${randomBytes(8).toString('hex')}`;
  const clientSecret = randomBytes(20).toString('hex');
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, FakeGithubUser>();
  const tokenRequests: Record<string, string>[] = [];
  let current: FakeGithubUser | undefined;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://github.test');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return accessToken(req, res);
    if (req.method === 'GET' && url.pathname === '/api/v3/user') return apiAnswer(req, res, (user) => userView(user));
    if (req.method === 'GET' && url.pathname === '/api/v3/user/emails') {
      return apiAnswer(req, res, (user) => user.emails.map((entry) => ({ ...entry, visibility: 'private' })));
    }
    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  function authorize(url: URL, res: ServerResponse) {
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    if (url.searchParams.get('client_id') !== clientId || redirectUri !== input.redirectUri) {
      res
        .writeHead(400, { 'content-type': 'text/html' })
        .end('<p>The redirect_uri is not associated with this application.</p>');
      return;
    }
    if (!current) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Sign in to GitHub</p>');
      return;
    }
    const code = randomBytes(10).toString('hex');
    const challenge = url.searchParams.get('code_challenge') ?? undefined;
    codes.set(code, { user: current, redirectUri, codeChallenge: challenge, expiresAt: Date.now() + 600_000 });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  async function accessToken(req: IncomingMessage, res: ServerResponse) {
    const text = await bodyOf(req);
    const params: Record<string, string> = req.headers['content-type']?.includes('application/json')
      ? JSON.parse(text)
      : Object.fromEntries(new URLSearchParams(text));
    tokenRequests.push(params);
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const answer = (body: Record<string, string>) => {
      if (wantsJson) return json(res, 200, body);
      res
        .writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
        .end(new URLSearchParams(body).toString());
    };
    if (params.client_id !== clientId || params.client_secret !== clientSecret) {
      return answer({
        error: 'incorrect_client_credentials',
        error_description: 'The client_id and/or client_secret passed are incorrect.',
      });
    }
    const issued = codes.get(params.code ?? '');
    codes.delete(params.code ?? '');
    const verifierMatches =
      issued?.codeChallenge === undefined ||
      (params.code_verifier !== undefined &&
        createHash('sha256').update(params.code_verifier).digest('base64url') === issued.codeChallenge);
    if (!issued || issued.expiresAt < Date.now() || issued.redirectUri !== params.redirect_uri || !verifierMatches) {
      return answer({
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
        error_uri:
          'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
      });
    }
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, issued.user);
    answer({ access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
  }

  function apiAnswer(req: IncomingMessage, res: ServerResponse, view: (user: FakeGithubUser) => unknown) {
    const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const user = token ? tokens.get(token) : undefined;
    if (!user)
      return json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    json(res, 200, view(user));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    webUrl: origin,
    apiUrl: `${origin}/api/v3`,
    clientId,
    clientSecret,
    tokenRequests,
    signInAs(user) {
      current = user;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function userView(user: FakeGithubUser) {
  const primary = user.emails.find((entry) => entry.primary);
  return { login: user.login, id: user.id, type: 'User', name: user.name, email: primary?.email ?? null };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
