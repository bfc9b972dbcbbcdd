/** One WizardConfig field that differs between two versions; absent on a side where it is not set. */
export interface ConfigFieldChange {
  field: string;
  from?: unknown;
  to?: unknown;
}

/**
 * The fields of two configs that differ, by path (`step2.system_prompt`), in a stable order. Lists
 * are compared whole (`step3.tools`): a tool list is one setting of the wizard.
 */
export function configFieldChanges(from: unknown, to: unknown): ConfigFieldChange[] {
  const before = leavesOf(from);
  const after = leavesOf(to);
  const fields = [...new Set([...before.keys(), ...after.keys()])].sort();
  return fields.flatMap((field) => {
    const a = before.get(field);
    const b = after.get(field);
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    return [{ field, ...(a === undefined ? {} : { from: a }), ...(b === undefined ? {} : { to: b }) }];
  });
}

function leavesOf(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leavesOf(child, path ? `${path}.${key}` : key, into);
  } else if (value !== undefined) {
    into.set(path, value);
  }
  return into;
}
