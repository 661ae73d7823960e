// chevrotain, loaded from its one-file bundle. The package's entry point loads some 600 files
// (lodash-es, one module each), which cost every `flowc` run about 0.3 s; the bundle that
// chevrotain ships beside it (same version, same code) loads in about 10 ms.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  try {
    // The entry point is lib/src/api.js; the bundle is lib/chevrotain.min.mjs.
    const entry = createRequire(import.meta.url).resolve('chevrotain');
    const bundle = join(dirname(entry), '..', 'chevrotain.min.mjs');
    if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    // An unusual install (a bundler, another layout): the package itself is the same code.
  }
  return import('chevrotain');
}

const chevrotain = await load();

export const { createToken, EmbeddedActionsParser, EOF, isRecognitionException, Lexer, tokenMatcher } = chevrotain;
export type { ILexingError, ILexingResult, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from 'chevrotain';
