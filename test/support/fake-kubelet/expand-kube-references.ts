/**
 * Expands `$(NAME)` the way Kubernetes does in `command`, `args` and env values
 * (k8s.io/kubernetes third_party/forked/golang/expansion): a defined name is replaced, an
 * undefined one is kept as written, `$$` is an escaped `$`, and any other `$` stays literal.
 */
export function expandKubeReferences(input: string, variables: ReadonlyMap<string, string>): string {
  let output = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      output += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        output += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        output += variables.get(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      output += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}
