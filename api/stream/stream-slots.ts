/**
 * Counts each org's open streams in this API process and refuses one past `maxPerOrg` (seed 003:
 * 5 concurrent streaming connections). Single-threaded, so acquiring is check-and-increment with
 * nothing in between.
 */
export function createStreamSlots(maxPerOrg: number) {
  const openByOrg = new Map<string, number>();

  return {
    /** A release function, or undefined when the org already has `maxPerOrg` open streams. */
    tryAcquire(orgId: string): (() => void) | undefined {
      const open = openByOrg.get(orgId) ?? 0;
      if (open >= maxPerOrg) return undefined;
      openByOrg.set(orgId, open + 1);
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        const left = (openByOrg.get(orgId) ?? 1) - 1;
        if (left === 0) openByOrg.delete(orgId);
        else openByOrg.set(orgId, left);
      };
    },
  };
}
export type StreamSlots = ReturnType<typeof createStreamSlots>;
