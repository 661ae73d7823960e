// A target that fails on purpose, for testing the fuzz runner itself: input n ends in a crash
// when n % 10 is 3, a hang when 5, a memory blow-up when 7. Not part of `npm run fuzz`.
import type { FuzzTarget } from './target.js';

export function makeCanaryTarget(): FuzzTarget {
  return {
    name: 'canary',
    extension: '.input',
    describeSeeds: () => 'none',
    generate: (_rng, index) => ['ok', 'ok', 'ok', 'crash', 'ok', 'hang', 'ok', 'memory', 'ok', 'ok'][index % 10]!,
    check(input) {
      const what = input.toString();
      if (what === 'crash') throw new TypeError('canary crash');
      if (what === 'hang') for (;;);
      if (what === 'memory') {
        const keep: number[][] = [];
        for (;;) keep.push(new Array<number>(8_000_000).fill(keep.length));
      }
      return undefined;
    },
    replay: (path) => `cat ${path}`,
  };
}
