import type { AgentDocument } from './agent-schema.ts';
import type { ConfigIssue } from './load-agent-file.ts';

/** The agents an agent's `type: agent` tools run, in `tools[]` order, with each entry's index. */
export function agentToolTargets(agent: AgentDocument): { index: number; target: string }[] {
  return (agent.spec.tools ?? []).flatMap((tool, index) =>
    tool.type === 'agent' && tool.agent !== undefined ? [{ index, target: tool.agent }] : [],
  );
}

/**
 * What an agent's `type: agent` tools get wrong about the other agents of the runtime: a target
 * no agent file defines, or a chain of agent tools that comes back to this agent (a → b → a,
 * also through supervisor and swarm workers, which are agent tools). `others` holds the latest
 * version of every other agent file, loaded or not, so a cycle is named whichever file of it
 * loads first, and a run can never call itself without end.
 */
export function findAgentReferenceProblems(
  agent: AgentDocument,
  others: ReadonlyMap<string, AgentDocument>,
): ConfigIssue[] {
  const self = agent.metadata.name;
  const graph = new Map(others);
  graph.set(self, agent);
  return agentToolTargets(agent).flatMap(({ index, target }): ConfigIssue[] => {
    const path = ['spec', 'tools', index, 'agent'];
    if (!graph.has(target)) {
      return [{ path, message: `agent '${target}' is not defined by any agent file of this runtime` }];
    }
    const cycle = pathBack(graph, target, self);
    return cycle ? [{ path, message: `agent tools form a cycle: ${[self, ...cycle].join(' → ')}` }] : [];
  });
}

/** The shortest chain of agent tools from `from` to `to` (both included), if there is one. */
function pathBack(graph: ReadonlyMap<string, AgentDocument>, from: string, to: string): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (name === to) {
      const chain: string[] = [];
      for (let at: string | undefined = name; at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    const document = graph.get(name);
    if (!document) continue;
    for (const { target } of agentToolTargets(document)) {
      if (previous.has(target)) continue;
      previous.set(target, name);
      queue.push(target);
    }
  }
  return undefined;
}
