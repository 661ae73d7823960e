// Syntax errors as people read them. Chevrotain knows which rule failed and what it expected;
// these functions look at the tokens around the failure to say it in the file's own terms:
// "expected `=` or `{` after the property name `port`, found `5140`".
import { EOF, tokenMatcher, type IRecognitionException, type IToken, type TokenType } from './chevrotain.js';
import type { Span } from './ast.js';
import type { Diagnostic, RelatedSpan } from '../compiler/diagnostics/diagnostic.js';
import * as T from './lexer.js';
import type { Expectation, ParseProblem } from './recovery.js';
import { hasLineBreak, type LineMap } from './positions.js';
import { suggest } from '../compiler/util/suggest.js';

interface Message {
  message: string;
  label: string;
  /** The token to point at, when it is not the one the parser stopped at. */
  at?: IToken;
  help?: string[];
  related?: RelatedSpan[];
}

/** The token stream around an error, with the lookups the messages need. */
export class Tokens {
  constructor(
    readonly tokens: IToken[],
    readonly text: string,
    readonly lines: LineMap,
  ) {}

  indexOf(token: IToken): number {
    if (token.tokenType === EOF || Number.isNaN(token.startOffset)) return this.tokens.length;
    let lo = 0;
    let hi = this.tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const offset = this.tokens[mid]!.startOffset;
      if (offset === token.startOffset) return mid;
      if (offset < token.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo;
  }

  at(index: number): IToken | undefined {
    return index >= 0 ? this.tokens[index] : undefined;
  }

  before(token: IToken): IToken | undefined {
    return this.at(this.indexOf(token) - 1);
  }

  after(token: IToken): IToken | undefined {
    return this.at(this.indexOf(token) + 1);
  }

  span(token: IToken): Span {
    if (token.tokenType === EOF || Number.isNaN(token.startOffset)) return this.lines.span(this.text.length, this.text.length);
    return this.lines.span(token.startOffset, T.tokenEnd(token));
  }

  line(token: IToken): number {
    return this.lines.lineOf(token.startOffset);
  }

  sameLine(a: IToken, b: IToken): boolean {
    return b.tokenType !== EOF && !hasLineBreak(this.text, T.tokenEnd(a), b.startOffset);
  }

  /** The dotted key that ends with `last`: `hdfs.path` for the token `path`. */
  keyEndingAt(last: IToken): string {
    const parts = [last.image];
    let i = this.indexOf(last);
    while (this.at(i - 1)?.tokenType === T.Dot && this.at(i - 2) !== undefined && isKeySegment(this.at(i - 2)!)) {
      parts.unshift(this.at(i - 2)!.image);
      i -= 2;
    }
    return parts.join('.');
  }

  /** The first segment of the dotted key that ends with `last`. */
  keyStartingBefore(last: IToken): IToken {
    let i = this.indexOf(last);
    while (this.at(i - 1)?.tokenType === T.Dot && this.at(i - 2) !== undefined && isKeySegment(this.at(i - 2)!)) i -= 2;
    return this.at(i) ?? last;
  }

  /** The unmatched opening bracket before `token`. */
  opener(token: IToken, open: TokenType, close: TokenType): IToken | undefined {
    let depth = 0;
    for (let i = this.indexOf(token) - 1; i >= 0; i--) {
      const type = this.tokens[i]!.tokenType;
      if (type === close) depth++;
      else if (type === open) {
        if (depth === 0) return this.tokens[i];
        depth--;
      }
    }
    return undefined;
  }
}

const isKeySegment = (token: IToken) =>
  tokenMatcher(token, T.Name) || tokenMatcher(token, T.StringTok) || token.tokenType === T.Integer;

const code = (text: string) => `\`${text}\``;

/** Tokens after which a new property may start on the same line. */
const separators = new Set<TokenType>([T.LCurly, T.Comma, T.Semi]);

/** The found token as shown in a message. */
function shown(token: IToken | undefined): string {
  if (token === undefined || token.tokenType === EOF) return 'the end of the file';
  const image = token.image.length > 40 ? `${token.image.slice(0, 40)}…` : token.image;
  return code(image);
}

const typeDescriptions: Record<string, string> = {
  Name: 'a name',
  Ident: 'a name',
  ValueWord: 'a name',
  Role: 'a declaration',
  String: 'a string',
  RawString: 'a raw string',
  Number: 'a number',
  Integer: 'a number',
  Duration: 'a duration',
  Size: 'a size',
  EOF: 'the end of the file',
};

function describeType(name: string): string {
  if (name in typeDescriptions) return typeDescriptions[name]!;
  const type = T.allTokens.find((t) => t.name === name);
  const pattern = type?.PATTERN;
  return typeof pattern === 'string' ? code(pattern) : name;
}

function oneOf(names: string[]): string {
  const parts = names.map(describeType);
  if (parts.length <= 1) return parts[0] ?? 'something else';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function parseExpectation(message: string): Expectation {
  try {
    return JSON.parse(message) as Expectation;
  } catch {
    return { rule: '', expected: [] };
  }
}

const lineOf = (tokens: Tokens, token: IToken) => `line ${tokens.line(token)}`;

// ---- Chevrotain's exceptions --------------------------------------------------------------

export function describeRecognitionError(error: IRecognitionException, tokens: Tokens): Diagnostic {
  const { rule, expected } = parseExpectation(error.message);
  const found = error.token;
  const previous = (error as { previousToken?: IToken }).previousToken;
  const parent = error.context?.ruleStack?.[error.context.ruleStack.length - 2];
  const m =
    specificMessage(rule, parent, expected, found, previous?.tokenType === EOF ? undefined : previous, tokens) ??
    genericMessage(expected, found, previous);
  return syntaxError(m, tokens.span(m.at ?? found));
}

function genericMessage(expected: string[], found: IToken, previous: IToken | undefined): Message {
  const after = previous && previous.tokenType !== EOF ? ` after ${shown(previous)}` : '';
  return {
    message: `expected ${oneOf(expected)}${after}, found ${shown(found)}`,
    label: `expected ${oneOf(expected)} here`,
  };
}

function specificMessage(
  rule: string,
  parent: string | undefined,
  expected: string[],
  found: IToken,
  previous: IToken | undefined,
  tokens: Tokens,
): Message | undefined {
  const expects = (name: string) => expected.length === 1 && expected[0] === name;
  const f = shown(found);
  const foundWord = tokenMatcher(found, T.Name) || tokenMatcher(found, T.StringTok);

  switch (rule) {
    case 'letDecl':
      if (expects('Name')) {
        return { message: `expected a name after \`let\`, found ${f}`, label: 'expected a name here', help: ['write `let NAME = value`'] };
      }
      if (expects('Equals') && previous) {
        return {
          message: `expected \`=\` after \`let ${previous.image}\`, found ${f}`,
          label: 'expected `=` here',
          help: [`write \`let ${previous.image} = value\``],
        };
      }
      return undefined;

    case 'agentDecl':
      if (expects('Name')) {
        return {
          message: `expected the agent's name after \`agent\`, found ${f}`,
          label: 'expected a name here',
          help: tokenMatcher(found, T.StringTok)
            ? [`agent names are bare words; the host goes after \`on\`: \`agent edge on ${found.image} { ... }\``]
            : ['write `agent NAME { ... }`'],
        };
      }
      if (expects('LCurly')) {
        const name = agentNameBefore(found, tokens);
        const help = tokenMatcher(found, T.StringTok) && name ? [`write \`agent ${name} on ${found.image} { ... }\``] : undefined;
        return {
          message: `expected \`{\` to open the body of agent ${code(name ?? '?')}, found ${f}`,
          label: 'expected `{` here',
          ...(help ? { help } : {}),
        };
      }
      return undefined;

    case 'componentDecl': {
      const role = componentRole(previous, tokens);
      if (expects('Name')) {
        return {
          message: `expected a name for the ${role} after \`${role}\`, found ${f}`,
          label: 'expected a name here',
          help: [`write \`${role} NAME : KIND\``],
        };
      }
      if (expects('Colon') && previous) {
        const help = foundWord
          ? [`write \`${role} ${previous.image} : ${found.image}\``]
          : found.tokenType === T.LCurly
            ? [`give the kind before the block: \`${role} ${previous.image} : KIND { ... }\``]
            : [`write \`${role} ${previous.image} : KIND\``];
        return { message: `expected \`:\` after the ${role} name \`${previous.image}\`, found ${f}`, label: 'expected `:` here', help };
      }
      return undefined;
    }

    case 'typeRef':
      if (parent === 'pipeStep') {
        return {
          message: `expected an interceptor after \`|\`, found ${f}`,
          label: 'expected an interceptor here',
          help: ['name a declared interceptor, an interceptor kind such as `timestamp`, or a class name in quotes'],
        };
      }
      if (previous) {
        const nameToken = tokens.before(previous);
        const roleToken = nameToken && tokens.before(nameToken);
        const what = roleToken && nameToken ? `the ${roleToken.image} \`${nameToken.image}\`` : 'the component';
        return {
          message: `expected the kind of ${what} after \`:\`, found ${f}`,
          label: 'expected a kind here',
          help: ['a kind is a Flume alias such as `memory` or `avro`, or a class name in quotes: `"com.example.MySink"`'],
        };
      }
      return undefined;

    case 'entry': {
      if (!previous) return undefined;
      const key = tokens.keyEndingAt(previous);
      // `dir = root "/x"`: the string was read as the next property's name; the real mistake
      // is between the two values, on the line before.
      const keyStart = tokens.keyStartingBefore(previous);
      const before = tokens.before(keyStart);
      if (before && tokens.sameLine(before, keyStart) && !separators.has(before.tokenType) && !tokens.sameLine(previous, found)) {
        return {
          message: `expected \`+\`, \`,\` or a new line between ${shown(before)} and ${shown(keyStart)}`,
          label: 'expected `+` or `,` before this',
          at: keyStart,
          help: [`write \`${before.image} + ${keyStart.image}\` to join two values, or start the next property on its own line`],
        };
      }
      const help =
        found.tokenType === T.Colon
          ? [`properties are set with \`=\`: \`${key} = ...\``]
          : startsValueToken(found) && tokens.sameLine(previous, found)
            ? [`write \`${key} = ${found.image}\``]
            : [`write \`${key} = value\` or \`${key} { ... }\``];
      return {
        message: `expected \`=\` or \`{\` after the property name \`${key}\`, found ${f}`,
        label: 'expected `=` here',
        help,
      };
    }

    case 'keySeg':
      return { message: `expected a property name after \`.\`, found ${f}`, label: 'expected a name here' };

    case 'ref':
      return { message: `expected a name after \`.\`, found ${f}`, label: 'expected a name here' };

    case 'primary': {
      if (!previous) return undefined;
      let after = code(previous.image);
      if (previous.tokenType === T.Equals) {
        const keyEnd = tokens.before(previous);
        if (keyEnd && isKeySegment(keyEnd)) after = code(`${tokens.keyEndingAt(keyEnd)} =`);
      }
      return {
        message: `expected a value after ${after}, found ${f}`,
        label: 'expected a value here',
        help: ['a value is a string, a number, a duration, a size, `true`/`false`, a name, a list `[...]` or a block `{...}`'],
      };
    }

    case 'call': {
      const open = tokens.opener(found, T.LParen, T.RParen);
      const callee = open && tokens.before(open);
      return {
        message: `expected \`,\` or \`)\` in the call to ${code(callee?.image ?? '?')}, found ${f}`,
        label: 'expected `)` here',
        ...(open ? { related: [{ span: tokens.span(open), message: 'the call starts here' }] } : {}),
      };
    }

    case 'list': {
      const open = tokens.opener(found, T.LBracket, T.RBracket);
      return {
        message: `expected \`,\` or \`]\` in the list${open ? ` opened at ${lineOf(tokens, open)}` : ''}, found ${f}`,
        label: 'expected `]` here',
        ...(open ? { related: [{ span: tokens.span(open), message: 'the list starts here' }] } : {}),
      };
    }

    case 'block':
      if (previous?.tokenType === T.With) {
        return { message: `expected \`{\` after \`with\`, found ${f}`, label: 'expected `{` here', help: ['write `with { key = value }`'] };
      }
      return undefined;

    case 'flowStmt':
      if (expects('Arrow') && previous) return flowArrowMessage(found, previous, tokens);
      return undefined;

    case 'stage':
      return {
        message: `expected where the flow goes after \`->\`: a channel or sink name, \`route\`, \`failover\` or \`balance\`; found ${f}`,
        label: 'expected a target here',
      };

    case 'target':
      return {
        message: `expected a channel or sink name after ${shown(previous)}, found ${f}`,
        label: 'expected a name here',
        ...(found.tokenType !== EOF && T.isKeyword(found) && previous && tokens.sameLine(previous, found)
          ? { help: [`${code(found.image)} is a keyword and cannot name a channel or sink`] }
          : {}),
      };

    case 'routeStage':
      if (expects('Header')) {
        return {
          message: `expected \`header\` after \`route\`, found ${f}`,
          label: 'expected `header` here',
          help: ['write `route header "NAME" { "VALUE" -> CHANNEL }`'],
        };
      }
      if (expects('String')) {
        return {
          message: `expected the header name in quotes after \`route header\`, found ${f}`,
          label: 'expected a string here',
          help: [foundWord ? `write \`route header "${found.image}"\`` : 'write `route header "NAME" { ... }`'],
        };
      }
      if (expects('LCurly')) {
        return {
          message: `expected \`{\` and the route cases after the header name, found ${f}`,
          label: 'expected `{` here',
          help: ['write `route header "NAME" { "VALUE" -> CHANNEL; default -> CHANNEL }`'],
        };
      }
      return undefined;

    case 'routeCase':
      if (expects('Arrow') && previous) {
        return {
          message: `expected \`->\` after the route value ${shown(previous)}, found ${f}`,
          label: 'expected `->` here',
          help: [`write \`${previous.image} -> CHANNEL\``],
        };
      }
      return undefined;

    case 'failoverStage':
      if (expects('LCurly')) {
        return {
          message: `expected \`{\` and the sinks with their priorities after \`failover\`, found ${f}`,
          label: 'expected `{` here',
          help:
            found.tokenType === T.LBracket
              ? ['`failover` takes sinks with priorities in braces: `failover { k1: 10, k2: 5 }`; `balance` takes a list']
              : ['write `failover { k1: 10, k2: 5 }`'],
        };
      }
      if (expects('RCurly')) {
        return { message: `expected \`,\` or \`}\` in the failover group, found ${f}`, label: 'expected `}` here' };
      }
      return undefined;

    case 'member':
      if (expects('Colon') && previous) {
        return {
          message: `expected \`:\` and a priority after the sink \`${previous.image}\`, found ${f}`,
          label: 'expected `:` here',
          help: [`write \`${previous.image}: 10\`; a higher priority is tried first`],
        };
      }
      if (expects('Number')) {
        const sink = previous && tokens.before(previous);
        return {
          message: `expected a priority number after \`${sink?.image ?? ''}:\`, found ${f}`,
          label: 'expected a number here',
        };
      }
      return undefined;

    case 'balanceStage':
      if (expects('LBracket')) {
        return {
          message: `expected \`[\` and the sinks to balance after \`balance\`, found ${f}`,
          label: 'expected `[` here',
          help: ['write `balance [k1, k2]`'],
        };
      }
      if (expects('RBracket')) {
        return { message: `expected \`,\` or \`]\` in the balance list, found ${f}`, label: 'expected `]` here' };
      }
      return undefined;

    default:
      return undefined;
  }
}

function flowArrowMessage(found: IToken, previous: IToken, tokens: Tokens): Message {
  const f = shown(found);
  const headIsPrevious = tokens.before(previous)?.tokenType !== T.Pipe;
  // `soruce r1 : netcat`: a misspelled role reads as a flow head.
  if (headIsPrevious && tokenMatcher(found, T.Name) && tokens.after(found)?.tokenType === T.Colon) {
    const roles = ['source', 'channel', 'sink', 'interceptor', 'group', 'filter'];
    const guess = suggest(previous.image, roles);
    return {
      message: `\`${previous.image}\` is not a kind of declaration; expected ${roles.map(code).join(', ')} before the name \`${found.image}\``,
      label: 'unknown declaration',
      at: previous,
      help: guess ? [`did you mean \`${guess}\`?`] : [`write \`source ${found.image} : KIND\``],
    };
  }
  if (headIsPrevious && found.tokenType === T.Equals) {
    return {
      message: `unexpected \`=\` after \`${previous.image}\`: properties are set inside a component's block`,
      label: 'not valid in an agent body',
      help: [`move it into the block of a component: \`source NAME : KIND { ${previous.image} = ... }\``],
    };
  }
  if (tokens.after(found)?.tokenType === T.Arrow && tokens.sameLine(found, tokens.after(found)!)) {
    return {
      message: `unexpected ${f} between \`${previous.image}\` and \`->\``,
      label: 'unexpected here',
      help: [`remove ${f}`],
    };
  }
  if (headIsPrevious && found.tokenType === T.Colon) {
    return {
      message: `expected \`->\` to continue the flow from \`${previous.image}\`, found \`:\``,
      label: 'expected `->` here',
      help: [`to declare a component, start with its role: \`source ${previous.image} : KIND\``],
    };
  }
  if (headIsPrevious) {
    return {
      message: `expected \`->\` to continue the flow from \`${previous.image}\`, found ${f}`,
      label: 'expected `->` here',
      ...(found.tokenType === T.Ident && tokens.sameLine(previous, found) ? { help: [`write \`${previous.image} -> ${found.image}\``] } : {}),
    };
  }
  return {
    message: `expected \`->\` or \`|\` after the interceptor ${shown(previous)}, found ${f}`,
    label: 'expected `->` here',
  };
}

// ---- The parser's own problems ------------------------------------------------------------

export function describeProblem(problem: ParseProblem, tokens: Tokens): Diagnostic {
  if (problem.kind === 'unclosed') return unclosedMessage(problem, tokens);
  const { token, list } = problem;
  const f = shown(token);
  const previous = tokens.before(token);
  let m: Message;
  switch (list) {
    case 'file':
      if (token.tokenType === T.RCurly) {
        m = { message: 'unexpected `}` at the top level: there is no `{` for it to close', label: 'nothing to close', help: ['remove it'] };
      } else if (tokenMatcher(token, T.Role)) {
        m = {
          message: `unexpected ${f} at the top level: components are declared inside an agent`,
          label: 'outside any agent',
          help:
            previous?.tokenType === T.RCurly
              ? [`the \`}\` at ${lineOf(tokens, previous)} ends the agent before it; if this belongs inside, remove an extra \`}\``]
              : [`put it inside \`agent NAME { ... }\``],
        };
      } else if (token.tokenType === T.Ident && tokens.after(token)?.tokenType === T.Arrow) {
        m = { message: `unexpected flow at the top level: flows are written inside an agent`, label: 'outside any agent', help: ['put it inside `agent NAME { ... }`'] };
      } else {
        const guess = token.tokenType === T.Ident ? suggest(token.image, ['agent', 'let']) : undefined;
        m = {
          message: `unexpected ${f} at the top level; expected \`agent\` or \`let\``,
          label: 'unexpected here',
          ...(guess ? { help: [`did you mean \`${guess}\`?`] } : {}),
        };
      }
      break;
    case 'agent':
      if (token.tokenType === T.RCurly) {
        m = {
          message: 'unexpected `}`: the agent goes on after it, so it closes nothing',
          label: 'extra `}`',
          help: ['remove it, or look for a `{` missing before it'],
        };
      } else if (token.tokenType === T.Ident && previous && tokens.sameLine(previous, token) &&
          (previous.tokenType === T.Ident || previous.tokenType === T.Question)) {
        m = {
          message: `unexpected ${f} after the flow's target ${shown(previous)}; targets are separated by \`,\``,
          label: 'expected `,` before this',
          help: [`write \`${previous.image}, ${token.image}\` to go to both`],
        };
      } else {
        m = {
          message: `unexpected ${f} in an agent; expected a component, a flow, \`let\` or \`}\``,
          label: 'unexpected here',
          help: ['declare components as `source NAME : KIND { ... }` and write flows as `a -> b`'],
        };
      }
      break;
    case 'block':
      m = {
        message: `unexpected ${f} in a block; expected a property (\`name = value\`) or \`}\``,
        label: 'unexpected here',
      };
      break;
    case 'route':
      m = {
        message: `unexpected ${f} in the route cases; expected a header value in quotes, \`default\` or \`}\``,
        label: 'unexpected here',
        help: ['write `"VALUE" -> CHANNEL` or `default -> CHANNEL`'],
      };
      break;
  }
  return syntaxError(m, tokens.span(token));
}

function unclosedMessage(problem: Extract<ParseProblem, { kind: 'unclosed' }>, tokens: Tokens): Diagnostic {
  const { open, found, list, name } = problem;
  const where = lineOf(tokens, open);
  const what =
    list === 'agent' ? `agent ${code(name?.image ?? '?')} (opened at ${where})`
    : list === 'route' ? `the route cases opened at ${where}`
    : `the block opened at ${where}`;
  return syntaxError(
    {
      message: `expected \`}\` to close ${what}, found ${shown(found)}`,
      label: 'expected `}` before this',
      related: [{ span: tokens.span(open), message: 'this `{` is not closed' }],
    },
    tokens.span(found),
  );
}

// ---- Helpers ------------------------------------------------------------------------------

function syntaxError(m: Message, span: Span): Diagnostic {
  return {
    severity: 'error',
    code: 'FLOW002',
    message: m.message,
    span,
    label: m.label,
    ...(m.help ? { help: m.help } : {}),
    ...(m.related ? { related: m.related } : {}),
  };
}

function startsValueToken(token: IToken): boolean {
  const t = token.tokenType;
  return (
    tokenMatcher(token, T.StringTok) || tokenMatcher(token, T.RawString) || tokenMatcher(token, T.NumberTok) ||
    t === T.Duration || t === T.Size || tokenMatcher(token, T.ValueWord) || t === T.True || t === T.False ||
    t === T.LBracket
  );
}

function agentNameBefore(found: IToken, tokens: Tokens): string | undefined {
  for (let i = tokens.indexOf(found) - 1; i >= 0; i--) {
    const token = tokens.at(i)!;
    if (token.tokenType === T.Agent) return tokens.at(i + 1)?.image;
  }
  return undefined;
}

function componentRole(previous: IToken | undefined, tokens: Tokens): string {
  let token = previous;
  for (let steps = 0; token && steps < 2; steps++) {
    if (tokenMatcher(token, T.Role)) return token.image;
    token = tokens.before(token);
  }
  return 'component';
}
