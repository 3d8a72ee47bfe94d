/*
 * The fallback chain is saved as provider priorities (1–100, higher first). These helpers give the chain's order and
 * the fewest priority changes that make a new order hold.
 */

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 100;

type Ranked = { id: string; priority: number };

/** The order the gateway breaks ties in: highest priority first, equal priorities as /providers returns them. */
export function chainOrder<T extends Ranked>(providers: readonly T[]): T[] {
  return providers
    .map((p, index) => ({ p, index }))
    .sort((a, b) => b.p.priority - a.p.priority || a.index - b.index)
    .map(({ p }) => p);
}

/** `order` with the item at `from` moved to position `to` (both 0-based positions in `order`). */
export function move<T>(order: readonly T[], from: number, to: number): T[] {
  const out = [...order];
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(to, out.length)), 0, item);
  return out;
}

/**
 * New priorities that make `wanted` (every provider, in the new order) the chain's order, changing as few providers as
 * possible and, among equally small sets of changes, preferring to change `moved` (the one the admin moved). Kept
 * priorities must fall strictly in order with room for the changed ones between them; two adjacent kept providers may
 * share a priority only if `current` (the present order) already has them in that order. Changed providers get
 * priorities spread evenly in the gap they fall in. Returns only the providers whose priority changes; `undefined`
 * when no assignment within 1–100 exists (more than 100 providers).
 */
export function planPriorities(
  wanted: readonly Ranked[],
  current: readonly Ranked[],
  moved?: string,
): Map<string, number> | undefined {
  const n = wanted.length;
  if (n > MAX_PRIORITY - MIN_PRIORITY + 1) return undefined;
  const currentIndex = new Map(current.map((p, i) => [p.id, i]));
  // Positions -1 and n are virtual bounds just outside the allowed range.
  const prio = (i: number) => (i < 0 ? MAX_PRIORITY + 1 : i >= n ? MIN_PRIORITY - 1 : wanted[i].priority);
  const fits = (i: number, j: number) => {
    const a = prio(i);
    const b = prio(j);
    if (j === i + 1 && i >= 0 && j < n && a === b) {
      return (currentIndex.get(wanted[i].id) ?? 0) < (currentIndex.get(wanted[j].id) ?? 0);
    }
    return a - b >= j - i;
  };
  const inRange = (i: number) => prio(i) >= MIN_PRIORITY && prio(i) <= MAX_PRIORITY;
  // Keeping a provider is worth much; keeping the moved one slightly less, so it is the one changed on a tie.
  const worth = (i: number) => (i >= n ? 0 : wanted[i].id === moved ? 999 : 1000);

  // best[k] and prev[k] for position k-1 (k = 0 is the virtual start): the best chain of kept positions ending there.
  const best = new Array<number>(n + 2).fill(-Infinity);
  const prev = new Array<number>(n + 2).fill(-1);
  best[0] = 0;
  for (let j = 0; j <= n; j++) {
    if (j < n && !inRange(j)) continue;
    for (let i = -1; i < j; i++) {
      const b = best[i + 1];
      if (b === -Infinity || !fits(i, j)) continue;
      const score = b + worth(j);
      if (score > best[j + 1]) {
        best[j + 1] = score;
        prev[j + 1] = i;
      }
    }
  }
  if (best[n + 1] === -Infinity) return undefined;

  const kept: number[] = [];
  for (let k = prev[n + 1]; k >= 0; k = prev[k + 1]) kept.unshift(k);
  const bounds = [-1, ...kept, n];
  const changes = new Map<string, number>();
  for (let g = 0; g + 1 < bounds.length; g++) {
    const i = bounds[g];
    const j = bounds[g + 1];
    const gap = j - i;
    const step = (prio(i) - prio(j)) / gap;
    for (let k = i + 1; k < j; k++) {
      const value = prio(i) - Math.round(step * (k - i));
      if (value !== wanted[k].priority) changes.set(wanted[k].id, value);
    }
  }
  return changes;
}
