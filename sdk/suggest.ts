/** "Did you mean ...?" for near misses of a fixed vocabulary (keys, flags, commands). */

/** Levenshtein distance, with a transposition counting as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // Three rows suffice: the transposition looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i, ...new Array<number>(b.length).fill(0)];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    [before, prev] = [prev, cur];
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive), when it is close enough to be
 * a plausible typo: at most 2 edits, and fewer than half the word's length.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  const limit = Math.min(2, Math.max(1, Math.floor(w.length / 2)));
  return best !== undefined && bestDistance > 0 && bestDistance <= limit ? best : undefined;
}
