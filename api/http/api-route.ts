import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Database } from '../db/database.ts';
import { InvalidInput } from '../errors.ts';
import { requirePrincipal } from './authenticate.ts';
import type { OrgAccessCache } from './org-access-cache.ts';
import { everyone, type OrgAccess, type Principal, type Role } from './principal.ts';
import { requireActiveSession, resolveOrgAccess } from './resolve-org-access.ts';

export interface RouteInput<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  /** Set for `authenticated` and `org` routes. */
  principal: Principal | undefined;
  /** Set for `org` routes: the caller's role in the org of the path's `{slug}`. */
  access: OrgAccess | undefined;
  ctx: Context;
}

/**
 * One endpoint: its contract (schemas, auth, roles, statuses) and its handler. The same object
 * mounts the Koa route and writes its OpenAPI operation, so the two cannot disagree.
 */
export interface ApiRoute<Params = unknown, Query = unknown, Body = unknown, Result = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form, relative to /api/v1: `/orgs/{slug}/agents/{name}`. */
  path: string;
  summary: string;
  /** What the summary cannot say (OpenAPI's operation description). */
  description?: string;
  tag: string;
  /** public: no credentials; authenticated: any valid principal; org: a member of `{slug}`. */
  auth: 'public' | 'authenticated' | 'org';
  /** For `org` routes; everyone by default. */
  roles?: readonly Role[];
  params?: z.ZodType<Params>;
  query?: z.ZodType<Query>;
  body?: z.ZodType<Body>;
  response?: z.ZodType<Result>;
  /** Success status; 202: the work goes on after the answer; 204 sends no body; 303 redirects to the URL returned. */
  status?: 200 | 201 | 202 | 204 | 303;
  /** Error statuses worth documenting besides 401/403 (implied by auth) and 400 (implied by schemas). */
  errors?: number[];
  /** Other successes with no body, by status, and when they come (a protocol's own, e.g. MCP's 202). */
  bodilessAnswers?: Partial<Record<202 | 204, string>>;
  /**
   * `openai`: the route answers errors in OpenAI's shape (openai-error-shape.ts); `jsonrpc`: as
   * JSON-RPC error objects (a2a-error-shape.ts); the envelope otherwise.
   */
  errorShape?: 'openai' | 'jsonrpc';
  handle(input: RouteInput<Params, Query, Body>): Promise<Result>;
}

type RouteDefinition<Params, Query, Body, Result, Extra> = Omit<
  ApiRoute<Params, Query, Body, Result>,
  'auth' | 'handle'
> & {
  handle(input: RouteInput<Params, Query, Body> & Extra): Promise<Result>;
};

/** A route anyone may call (sign-in, health). */
export function publicRoute<Params, Query, Body, Result>(
  definition: RouteDefinition<Params, Query, Body, Result, object>,
): ApiRoute<Params, Query, Body, Result> {
  return { ...definition, auth: 'public' };
}

/** A route for any signed-in user or API key, outside an org path (`/orgs/me`, logout). */
export function authenticatedRoute<Params, Query, Body, Result>(
  definition: RouteDefinition<Params, Query, Body, Result, { principal: Principal }>,
): ApiRoute<Params, Query, Body, Result> {
  return {
    ...definition,
    auth: 'authenticated',
    handle: (input) => definition.handle({ ...input, principal: defined(input.principal) }),
  };
}

/** A route under `/orgs/{slug}`: the caller's access to that org is resolved and role-checked first. */
export function orgRoute<Params, Query, Body, Result>(
  definition: RouteDefinition<Params, Query, Body, Result, { principal: Principal; access: OrgAccess }>,
): ApiRoute<Params, Query, Body, Result> {
  return {
    ...definition,
    auth: 'org',
    handle: (input) =>
      definition.handle({ ...input, principal: defined(input.principal), access: defined(input.access) }),
  };
}

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('unreachable: mountRoutes resolves auth before the handler');
  return value;
}

export function mountRoutes(
  router: Router,
  routes: ApiRoute[],
  deps: { db: Database; now: () => Date; accessCache?: OrgAccessCache },
): void {
  for (const route of routes) {
    const koaPath = route.path.replace(/\{([a-z_]+)\}/g, ':$1');
    router[route.method](koaPath, async (ctx) => {
      // Who first (401), then where (403), then what (400): a stranger learns nothing from validation.
      const principal = route.auth === 'public' ? undefined : requirePrincipal(ctx);
      if (route.auth === 'authenticated' && principal) await requireActiveSession(deps, principal);
      const access =
        route.auth === 'org' && principal
          ? await resolveOrgAccess(deps, principal, String(ctx.params.slug), route.roles ?? everyone)
          : undefined;
      const params = parseInput(route.params, ctx.params, 'path');
      const query = parseInput(route.query, ctx.query, 'query');
      const body = parseInput(route.body, ctx.request.body ?? {}, 'body');
      const result = await route.handle({ params, query, body, principal, access, ctx });
      if (route.status === 303) {
        ctx.redirect(String(result));
        ctx.status = 303;
        return;
      }
      ctx.status = route.status ?? 200;
      if (ctx.status !== 204) ctx.body = result;
    });
  }
}

function parseInput<T>(schema: z.ZodType<T> | undefined, input: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length
    ? issue.path
        .map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))
        .join('.')
        .replaceAll('.[', '[')
    : where;
  throw new InvalidInput(`${field}: ${issue?.message ?? 'invalid'}`, 400, issue?.path.length ? field : undefined);
}
