import type { ToolDefinition } from '../../router/model-types.ts';
import { GlyphProgramError } from './glyph-errors.ts';
import type { Expression, Position, Program, Statement } from './glyph-syntax.ts';

/** Upper bounds on what one program may ask for (documented in runtime/README.md). */
export const glyphLimits = {
  /** Top-level statements. */
  statements: 64,
  /** Call sites written in the program (a `map` stage's call counts once here). */
  callSites: 32,
  /** Tool calls one run may make, counting each element a `map` stage calls a tool for. */
  callsPerRun: 100,
};

/** The names every program may read without binding them: the user's message and the caller's context. */
export const predefinedNames = ['query', 'context'] as const;
export const pipeStages = ['where', 'top', 'map'] as const;

/** One top-level statement as the executor schedules it: it starts once every name it reads is bound. */
export interface PlanNode {
  statement: Statement;
  /** Names bound by other statements of the program that this one needs first. */
  reads: Set<string>;
  writes: Set<string>;
}

export interface GlyphPlan {
  nodes: PlanNode[];
  /** Index in `nodes` of the return statement; its value is the program's result. */
  returnIndex: number;
}

interface Walk {
  reads: Set<string>;
  callSites: number;
}

/**
 * Validates a parsed program against the agent's tools and turns it into a dependency graph.
 * Everything that can be checked without running anything is checked here, so a bad program
 * costs a repair round and never a half-done run: unknown tools, positional, unknown, missing or
 * mistyped (literal) arguments, names never bound or bound twice, stages other than where/top/map,
 * a missing or misplaced return, cycles between statements, and the size limits above.
 * A statement may use a name bound on a later line (the program is a graph, not a script), which
 * is why cycles are possible and refused.
 */
export function compileGlyph(program: Program, tools: readonly ToolDefinition[]): GlyphPlan {
  const catalog = new Map(tools.map((tool) => [tool.name, tool]));
  const statements = program.statements;
  const start = { line: 1, column: 1 };
  if (statements.length === 0) throw new GlyphProgramError(start, 'the program is empty; it must end with return');
  if (statements.length > glyphLimits.statements) {
    throw new GlyphProgramError(
      statements[glyphLimits.statements] as Statement,
      `a program may have at most ${glyphLimits.statements} statements`,
    );
  }
  const returns = statements.filter((statement) => statement.kind === 'return');
  const last = statements.at(-1) as Statement;
  if (returns.length === 0) throw new GlyphProgramError(last, 'the program must end with return {…}');
  if (returns.length > 1 || last.kind !== 'return') {
    throw new GlyphProgramError(returns[0] as Statement, 'return must be the last statement, and only one');
  }

  const bound = new Map<string, Position>();
  const walks = statements.map(() => ({ reads: new Set<string>(), callSites: 0 }));
  const writes = statements.map((statement) => bindingsOf(statement, bound));

  let callSites = 0;
  statements.forEach((statement, index) => {
    walkStatement(statement, walks[index] as Walk, catalog);
    callSites += (walks[index] as Walk).callSites;
  });
  if (callSites > glyphLimits.callSites) {
    throw new GlyphProgramError(start, `a program may call tools in at most ${glyphLimits.callSites} places`);
  }

  const nodes: PlanNode[] = statements.map((statement, index) => {
    const own = writes[index] as Set<string>;
    const reads = new Set<string>();
    for (const { name, at, element } of namesRead(walks[index] as Walk)) {
      if ((predefinedNames as readonly string[]).includes(name)) continue;
      if (own.has(name)) continue;
      if (!bound.has(name)) {
        if (element) continue;
        throw new GlyphProgramError(at, `'${name}' is not bound: assign it first (name = …) or use query or context`);
      }
      reads.add(name);
    }
    return { statement, reads, writes: own };
  });
  refuseCycles(nodes);
  return { nodes, returnIndex: statements.length - 1 };
}

// Reads are collected with their position so an undefined name is reported where it is used.
function namesRead(walk: Walk): { name: string; at: Position; element?: boolean }[] {
  return [...walk.reads].map((entry) => JSON.parse(entry) as { name: string; at: Position; element?: boolean });
}

function bindingsOf(statement: Statement, bound: Map<string, Position>): Set<string> {
  const names = new Set<string>();
  const bind = (name: string, at: Position) => {
    if ((predefinedNames as readonly string[]).includes(name)) {
      throw new GlyphProgramError(at, `'${name}' is predefined (the request); bind another name`);
    }
    const earlier = bound.get(name);
    if (earlier) {
      throw new GlyphProgramError(
        at,
        `'${name}' is already bound on line ${earlier.line}; every name is bound once (use a new name)`,
      );
    }
    names.add(name);
  };
  if (statement.kind === 'assign') bind(statement.target, statement);
  if (statement.kind === 'if') {
    // The same name may be bound in both branches: only one of them runs.
    const branch = (body: Statement[]) => {
      const inner = new Map(bound);
      for (const name of names) inner.set(name, statement);
      const found = new Set<string>();
      for (const child of body) {
        if (child.kind === 'return')
          throw new GlyphProgramError(child, 'return belongs at the end of the program, not in a block');
        for (const name of bindingsOf(child, inner)) {
          found.add(name);
          inner.set(name, child);
        }
      }
      return found;
    };
    const then = branch(statement.then);
    const otherwise = branch(statement.otherwise);
    for (const name of new Set([...then, ...otherwise])) bind(name, statement);
  }
  for (const name of names) bound.set(name, statement);
  return names;
}

function walkStatement(statement: Statement, walk: Walk, catalog: Map<string, ToolDefinition>): void {
  if (statement.kind === 'if') {
    walkExpression(statement.test, walk, catalog, false);
    for (const child of [...statement.then, ...statement.otherwise]) walkStatement(child, walk, catalog);
    return;
  }
  walkExpression(statement.value, walk, catalog, false);
}

/** `inElement`: inside a stage's arguments, unbound names are the element's fields, not the program's names. */
function walkExpression(
  expression: Expression,
  walk: Walk,
  catalog: Map<string, ToolDefinition>,
  inElement: boolean,
): void {
  const recurse = (inner: Expression) => walkExpression(inner, walk, catalog, inElement);
  switch (expression.kind) {
    case 'literal':
      return;
    case 'name':
      walk.reads.add(
        JSON.stringify({
          name: expression.name,
          at: { line: expression.line, column: expression.column },
          ...(inElement ? { element: true } : {}),
        }),
      );
      return;
    case 'field':
      recurse(expression.target);
      return;
    case 'list':
      for (const item of expression.items) recurse(item);
      return;
    case 'record':
      for (const entry of expression.entries) recurse(entry.value);
      return;
    case 'compare':
    case 'logic':
      recurse(expression.left);
      recurse(expression.right);
      return;
    case 'not':
      recurse(expression.operand);
      return;
    case 'call':
      walk.callSites++;
      checkCall(expression, catalog);
      for (const arg of expression.args) recurse(arg.value);
      return;
    case 'pipe':
      recurse(expression.source);
      for (const stage of expression.stages) {
        checkStage(stage);
        for (const arg of [...stage.positional, ...stage.named.map((named) => named.value)]) {
          walkExpression(arg, walk, catalog, true);
        }
      }
  }
}

function checkStage(stage: { name: string; positional: Expression[]; named: { name: string }[] } & Position): void {
  if (!(pipeStages as readonly string[]).includes(stage.name)) {
    throw new GlyphProgramError(stage, `'${stage.name}' is not a stage; after | come only where, top and map`);
  }
  const named = stage.named.map((arg) => arg.name);
  if (stage.name === 'where' && (stage.positional.length === 0 || named.length > 0)) {
    throw new GlyphProgramError(stage, 'where takes one or more conditions, e.g. where(kind == "oem", stock > 0)');
  }
  if (stage.name === 'top') {
    const unknown = named.find((name) => name !== 'by' && name !== 'asc');
    if (stage.positional.length !== 1 || unknown !== undefined || !named.includes('by')) {
      throw new GlyphProgramError(stage, 'top takes a count and by=field, optionally asc=true: top(3, by=price)');
    }
  }
  if (stage.name === 'map' && (stage.positional.length !== 1 || named.length > 0)) {
    throw new GlyphProgramError(
      stage,
      'map takes one value per element, e.g. map({sku, price}) or map({w: tool(id=id)})',
    );
  }
}

function checkCall(call: Extract<Expression, { kind: 'call' }>, catalog: Map<string, ToolDefinition>): void {
  const tool = catalog.get(call.tool);
  if (tool === undefined) {
    const available = [...catalog.keys()].sort().join(', ') || '(none)';
    throw new GlyphProgramError(call, `there is no tool '${call.tool}'; the tools are: ${available}`);
  }
  const schema = tool.inputSchema as { properties?: Record<string, JsonSchema>; required?: string[] };
  const properties = schema.properties ?? {};
  const seen = new Set<string>();
  for (const arg of call.args) {
    if (seen.has(arg.name)) throw new GlyphProgramError(arg.at, `${call.tool}: argument '${arg.name}' is given twice`);
    seen.add(arg.name);
    const property = properties[arg.name];
    if (property === undefined) {
      const accepted = Object.keys(properties).sort().join(', ') || '(no arguments)';
      throw new GlyphProgramError(arg.at, `${call.tool} has no argument '${arg.name}'; it takes: ${accepted}`);
    }
    const problem = literalMismatch(arg.value, property);
    if (problem) throw new GlyphProgramError(arg.at, `${call.tool}: argument '${arg.name}' ${problem}`);
  }
  for (const required of schema.required ?? []) {
    if (!seen.has(required)) throw new GlyphProgramError(call, `${call.tool} needs the argument '${required}'`);
  }
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
}

/** A literal argument whose type the tool's schema rules out; references are checked by the tool when it runs. */
function literalMismatch(value: Expression, schema: JsonSchema): string | undefined {
  const actual =
    value.kind === 'list'
      ? 'array'
      : value.kind === 'record'
        ? 'object'
        : value.kind === 'literal' && value.value !== null
          ? typeof value.value
          : undefined;
  if (actual === undefined) return undefined;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const fits = (type: string) =>
    type === actual ||
    (type === 'integer' && value.kind === 'literal' && Number.isInteger(value.value)) ||
    (type === 'number' && actual === 'number');
  if (types.length > 0 && !types.some(fits)) return `must be ${types.join(' or ')}, not ${actual}`;
  if (schema.enum && value.kind === 'literal' && !schema.enum.includes(value.value)) {
    return `must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`;
  }
  return undefined;
}

/** A statement that needs, through other statements, a name it binds itself could never start. */
function refuseCycles(nodes: PlanNode[]): void {
  const writer = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const name of node.writes) writer.set(name, index);
  });
  const state = nodes.map(() => 'new' as 'new' | 'open' | 'done');
  const open: number[] = [];
  const nameOf = (index: number) => [...(nodes[index] as PlanNode).writes].join('/');
  const visit = (index: number): void => {
    state[index] = 'open';
    open.push(index);
    for (const name of (nodes[index] as PlanNode).reads) {
      const from = writer.get(name) as number;
      if (state[from] === 'open') {
        const cycle = open.slice(open.indexOf(from)).map(nameOf);
        throw new GlyphProgramError(
          (nodes[from] as PlanNode).statement,
          `these bindings depend on each other in a cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
        );
      }
      if (state[from] === 'new') visit(from);
    }
    open.pop();
    state[index] = 'done';
  };
  nodes.forEach((_, index) => {
    if (state[index] === 'new') visit(index);
  });
}
