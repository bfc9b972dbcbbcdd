/**
 * What content_safety filters when the agent lists no blocked_patterns. A regular expression cannot
 * judge meaning, so this is a deliberately small floor of things an answer should never carry:
 * secrets a model may echo from its context, and the most explicit encouragement of self-harm or
 * instructions for a bomb. Agents that need more list their own patterns (which replace these).
 */
export const contentSafetyPatterns: readonly string[] = [
  // Private keys (PEM): RSA, EC, OpenSSH, PKCS#8, encrypted.
  '-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----',
  // API keys with a well-known prefix: OpenAI/Anthropic (sk-…), GitHub tokens, Slack tokens.
  String.raw`\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}`,
  String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}`,
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  // AWS access key ids.
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // Encouragement of self-harm.
  String.raw`\b(?:you should|go) (?:kill|hurt) yourself\b`,
  // Step-by-step weapon making.
  String.raw`\bhow to (?:make|build|assemble) (?:a |an )?(?:pipe )?(?:bomb|explosive device)s?\b`,
];
