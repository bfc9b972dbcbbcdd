/** The URL with its password (and any username) replaced, fit for logs and error messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.username) parsed.username = '***';
    return parsed.toString();
  } catch {
    // An unparsable URL may still hold a secret: say only that it is unreadable.
    return '(unparsable URL)';
  }
}
