// "Did you mean ...?" for names, kinds, properties and enum values.

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions). It keeps only
 * the three rows the recurrence reads: a file full of typos asks for thousands of these.
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  let before = new Int32Array(cols); // row i - 2
  let previous = new Int32Array(cols); // row i - 1
  let row = new Int32Array(cols); // row i
  for (let j = 0; j < cols; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j < cols; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) best = Math.min(best, before[j - 2]! + 1);
      row[j] = best;
    }
    const spare = before;
    before = previous;
    previous = row;
    row = spare;
  }
  return previous[b.length]!;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: case is ignored, and
 * the allowed distance grows with the length of the word (about one edit per three letters).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const limit = Math.max(1, Math.floor(Math.max(c.length, lower.length) / 3));
    if (Math.abs(c.length - lower.length) > limit) continue;
    const distance = editDistance(lower, c);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * `suggest` for many words against one large list (a file with thousands of mistakes): each
 * search costs one comparison per candidate, and once `budget` comparisons are spent only
 * exact matches (ignoring case) are found, so that the searches stay linear in the file's size.
 */
export class Suggester {
  private readonly candidates: string[];
  private exact: Map<string, string> | undefined;

  constructor(
    candidates: Iterable<string>,
    private budget = 500_000,
  ) {
    this.candidates = [...candidates];
  }

  suggest(word: string): string | undefined {
    if (this.budget >= this.candidates.length) {
      this.budget -= this.candidates.length;
      return suggest(word, this.candidates);
    }
    if (!this.exact) {
      this.exact = new Map();
      for (const c of this.candidates) if (!this.exact.has(c.toLowerCase())) this.exact.set(c.toLowerCase(), c);
    }
    return this.exact.get(word.toLowerCase());
  }
}
