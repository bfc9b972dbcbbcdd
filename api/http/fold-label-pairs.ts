/**
 * Bounds the org × agent label pairs a metric may hold: the first `max` pairs seen keep their
 * labels, every later one is counted as org="other", agent="other". Orgs and agents are created by
 * users, so without a bound each new one would add series (a histogram: one per bucket) to every
 * scrape for the life of the process; with it, a scrape stays a bounded size and the totals stay
 * right (what is folded is still counted, only not apart).
 */
export function createLabelPairFolder(max: number) {
  const admitted = new Set<string>();
  return (labels: { org: string; agent: string }): { org: string; agent: string } => {
    const pair = { org: labels.org, agent: labels.agent };
    const key = JSON.stringify([pair.org, pair.agent]);
    if (admitted.has(key)) return pair;
    if (admitted.size < max) {
      admitted.add(key);
      return pair;
    }
    return { org: 'other', agent: 'other' };
  };
}
