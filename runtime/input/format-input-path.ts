const maxKeyChars = 64;

/**
 * A field path as our 400s name it (`context.a.b`, `items[0].name`), or `what` for the document
 * itself. Keys are shortened and control characters escaped: the path goes into a message and a
 * log line, and a key is caller input like any other.
 */
export function formatInputPath(path: readonly (string | number)[], what: string): string {
  if (path.length === 0) return what;
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const shown = key.length > maxKeyChars ? `${key.slice(0, maxKeyChars)}…` : key;
      const escaped = shown.replace(/\p{Cc}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return index === 0 ? escaped : `.${escaped}`;
    })
    .join('');
}
