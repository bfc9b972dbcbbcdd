import type { AgentSpec } from '../config/agent-schema.ts';

/**
 * The tools `spec.permissions` lets the agent offer and run, as upstream reads it: the tool
 * names matching any `allowed_actions` pattern (all of them when it is absent), minus those
 * matching any `denied_actions` pattern. Patterns are shell-style (`*`, `?`, `[…]`), matched
 * case-sensitively against the whole name. `undefined`: no restriction.
 */
export function permittedTools(
  names: readonly string[],
  permissions: AgentSpec['permissions'],
): ReadonlySet<string> | undefined {
  const isPermitted = toolPermission(permissions);
  return isPermitted && new Set(names.filter(isPermitted));
}

/** The same rule as a test of one name, for tools known only at run time (MCP); undefined: no restriction. */
export function toolPermission(permissions: AgentSpec['permissions']): ((name: string) => boolean) | undefined {
  const allowed = permissions?.allowed_actions?.map(globToRegExp);
  const denied = permissions?.denied_actions?.map(globToRegExp) ?? [];
  if (allowed === undefined && permissions?.denied_actions === undefined) return undefined;
  return (name) =>
    (allowed === undefined || allowed.some((pattern) => pattern.test(name))) &&
    !denied.some((pattern) => pattern.test(name));
}

/** fnmatch's translation: `*` any run, `?` one character, `[seq]`/`[!seq]` a class; the rest literal. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] as string;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = glob.indexOf(']', index + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(index + 1, end).replaceAll('\\', '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      source += `[${body}]`;
      index = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
