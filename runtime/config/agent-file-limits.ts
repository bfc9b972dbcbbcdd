/**
 * The largest agent file the runtime reads, in bytes: what one Kubernetes ConfigMap can hold
 * (the operator writes an org's agents into one), and far beyond any real agent. A bigger file is
 * refused before it is read whole, so a runaway file cannot exhaust the runtime's memory.
 */
export const maxAgentFileBytes = 1024 * 1024;

/**
 * How many values (objects, lists and scalars) an agent document may hold. YAML aliases count once
 * per use: a few hundred bytes of `&a [*b, *b, …]` can stand for billions of values (or a cycle),
 * which anything that walks the document (a JSON.stringify of tool parameters) would never finish.
 */
export const maxAgentValues = 100_000;

/** Aliases (`*name`) per agent file: upstream files use a few to share a model block. */
export const maxAgentYamlAliases = 100;

/**
 * How deeply the YAML parser lets collections nest. Above the document check's own limit
 * (maxJsonDepth), so a deep file is refused naming its field rather than its line.
 */
export const maxAgentYamlDepth = 64;
