import { type SealedSecret, SecretUnreadable } from './seal-secret.ts';

export interface ResealReport<Unreadable> {
  /** Secrets now sealed with the current master key. */
  resealed: number;
  /** Secrets sealed with a master key this process does not have: they stay as they are. */
  unreadable: Unreadable[];
}

/**
 * Re-encrypts stored secrets sealed with an older master key under the current one, so a
 * rotated-out master key can be dropped from the configuration afterwards. Each kind of secret
 * (provider keys, webhook secrets, MCP server tokens) says how to open, seal and swap one row;
 * `replace` swaps a row only if nobody changed it meanwhile, so several replicas may run this at
 * startup at once. The plaintext does not change, so no org needs its runtime re-applied.
 */
export async function resealSealedSecrets<Row, Unreadable>(
  rows: readonly Row[],
  kind: {
    open(row: Row): string;
    seal(row: Row, plaintext: string): SealedSecret;
    replace(row: Row, seal: SealedSecret): Promise<boolean>;
    /** How a secret this process cannot open is reported: ids and the key id, never the secret. */
    unreadable(row: Row): Unreadable;
  },
): Promise<ResealReport<Unreadable>> {
  const report: ResealReport<Unreadable> = { resealed: 0, unreadable: [] };
  for (const row of rows) {
    let plaintext: string;
    try {
      plaintext = kind.open(row);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      report.unreadable.push(kind.unreadable(row));
      continue;
    }
    if (await kind.replace(row, kind.seal(row, plaintext))) report.resealed++;
  }
  return report;
}
