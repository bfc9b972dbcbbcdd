// Vendor markers that are the same in every key of a kind, so showing them reveals nothing secret.
const publicPrefixes = ['sk-ant-', 'sk-proj-', 'sk-', 'gsk_'];
const shownTailLength = 4;
// Below this many secret characters, even the last four would be too large a share of the key.
const minimumLengthToShowTail = 16;

/**
 * How a stored secret is shown: a known vendor prefix, then `...`, then at most the last four
 * characters (`sk-...wxyz`). Nothing of a short key is shown.
 */
export function maskSecret(secret: string): string {
  const prefix = publicPrefixes.find((candidate) => secret.startsWith(candidate)) ?? '';
  const rest = secret.slice(prefix.length);
  const tail = rest.length >= minimumLengthToShowTail ? rest.slice(-shownTailLength) : '';
  return `${prefix}...${tail}`;
}
