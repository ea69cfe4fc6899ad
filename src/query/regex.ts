// Regular expressions of `re.` / `nre.` filters, checked against the rules of the store's regex
// engine before any SQL is sent, so a pattern the store would refuse is a 400 naming the
// parameter. Patterns arrive in JavaScript syntax (they are first checked with `new RegExp`);
// DuckDB and ClickHouse match with RE2, PostgreSQL with its own ARE engine. The checks here cover
// the rules that are known to differ; the engine classifies the store's own "invalid regular
// expression" error as a client error too (classifyStoreError), for anything they miss.

export interface RegexRules {
  readonly engine: string;
  /** Largest n or m in `{n}`, `{n,}`, `{n,m}`. */
  readonly maxCount: number;
  /**
   * RE2 divides a budget of 1000 by the count of every nested `{}` repetition (integer division)
   * and refuses the pattern when it reaches 0: `(a{100}){100}` is refused, `((a{10}){10}){10}` is not.
   */
  readonly nestedBudget: number | null;
  /** Letters that may follow a backslash outside / inside brackets (digits are handled apart). */
  readonly escapes: string;
  readonly classEscapes: string;
  /** `\x{41}` as well as `\x41`. */
  readonly hexBraces: boolean;
  /** `[:name:]` inside brackets. */
  readonly posixClasses: ReadonlySet<string>;
  /** Estimated size of the compiled program (see cost()) above which the engine gives up. */
  readonly maxProgram: number;
}

const POSIX = ['alnum', 'alpha', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'xdigit'];

export const RE2_RULES: RegexRules = {
  engine: 'RE2',
  maxCount: 1000,
  nestedBudget: 1000,
  // \Q…\E and \C mean something else in JavaScript: refused rather than silently reinterpreted.
  escapes: 'afnrtvdDsSwWbBAzpPx',
  classEscapes: 'afnrtvdDsSwWpPx',
  hexBraces: true,
  posixClasses: new Set([...POSIX, 'ascii', 'word']),
  // RE2's default memory budget (8 MiB) holds about 87k instructions; `\pL{400}` is near it.
  maxProgram: 80_000,
};

export const POSTGRES_RULES: RegexRules = {
  engine: 'PostgreSQL',
  // DUPMAX in PostgreSQL's regex engine.
  maxCount: 255,
  nestedBudget: null,
  escapes: 'abBcdDefmMnrsStuUvwWxyYZA',
  classEscapes: 'abBcdDefnrstuUvwWx',
  hexBraces: false,
  posixClasses: new Set(POSIX),
  // `(a{255}){255}` is "too complex"; `(((a{10}){10}){10}){10}` is not.
  maxProgram: 30_000,
};

type Node =
  | { kind: 'leaf'; cost: number }
  | { kind: 'seq' | 'alt'; kids: Node[] }
  | { kind: 'repeat'; min: number; max: number; counted: boolean; kid: Node };

class Problem extends Error {}

const HEX = /^[0-9A-Fa-f]$/;
const UNICODE_CLASS = 200;

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly r: RegexRules,
  ) {}

  fail(message: string): never {
    throw new Problem(message);
  }

  alt(): Node {
    const kids = [this.seq()];
    while (this.s[this.i] === '|') {
      this.i++;
      kids.push(this.seq());
    }
    return kids.length === 1 ? kids[0] : { kind: 'alt', kids };
  }

  seq(): Node {
    const kids: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      kids.push(this.quantified(this.atom()));
    }
    return { kind: 'seq', kids };
  }

  quantified(atom: Node): Node {
    let node = atom;
    let quantifiers = 0;
    for (;;) {
      const c = this.s[this.i];
      let rep: { min: number; max: number; counted: boolean } | null = null;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        rep = { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : -1, counted: false };
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
        if (!m) break; // a literal `{`, as in JavaScript
        this.i += m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > this.r.maxCount || max > this.r.maxCount) this.fail(`repetition count above ${this.r.maxCount}`);
        if (max !== -1 && max < min) this.fail('repetition count {n,m} with m < n');
        rep = { min, max, counted: true };
      } else break;
      if (++quantifiers > 1) this.fail('repetition of a repetition');
      if (this.s[this.i] === '?') this.i++; // lazy
      node = { kind: 'repeat', ...rep, kid: node };
    }
    return node;
  }

  atom(): Node {
    const s = this.s;
    const c = s[this.i];
    if (c === '(') {
      this.i++;
      if (s[this.i] === '?') {
        if (s[this.i + 1] === ':') this.i += 2;
        else if (s[this.i + 1] === '=' || s[this.i + 1] === '!' || s.startsWith('<=', this.i + 1) || s.startsWith('<!', this.i + 1)) this.fail('lookahead and lookbehind are not supported');
        else if (s[this.i + 1] === '<' || s[this.i + 1] === 'P') this.fail('named groups are not supported');
        else this.fail(`unknown group syntax '(?${s[this.i + 1] ?? ''}'`);
      }
      const inner = this.alt();
      if (s[this.i] !== ')') this.fail('missing )');
      this.i++;
      return inner;
    }
    if (c === ')') this.fail('unmatched )');
    if (c === '*' || c === '+' || c === '?') this.fail(`nothing to repeat before '${c}'`);
    if (c === '[') return this.bracket();
    if (c === '\\') return this.escape(false).node;
    this.i++;
    if (c === '.') return { kind: 'leaf', cost: 4 };
    if (c === '^' || c === '$') return { kind: 'leaf', cost: 1 };
    return { kind: 'leaf', cost: 2 };
  }

  /** One backslash escape; `single` when it stands for exactly one character. */
  escape(inClass: boolean): { node: Node; single: boolean } {
    const s = this.s;
    const c = s[this.i + 1];
    if (c === undefined) this.fail('trailing backslash');
    this.i += 2;
    const leaf = (cost: number, single: boolean) => ({ node: { kind: 'leaf' as const, cost }, single });
    if (c.charCodeAt(0) > 0x7f) this.fail(`invalid escape \\${c}`);
    if (c >= '1' && c <= '9') this.fail('backreferences are not supported');
    if (c === '0') {
      let n = 0;
      while (n < 2 && /[0-7]/.test(s[this.i] ?? '')) {
        this.i++;
        n++;
      }
      return leaf(2, true);
    }
    if (!/[A-Za-z]/.test(c)) return leaf(2, true); // an escaped punctuation character
    if (!(inClass ? this.r.classEscapes : this.r.escapes).includes(c)) this.fail(`invalid escape \\${c}${inClass ? ' inside [ ]' : ''}`);
    switch (c) {
      case 'x': {
        if (this.r.hexBraces && s[this.i] === '{') {
          const m = /^\{[0-9A-Fa-f]{1,8}\}/.exec(s.slice(this.i));
          if (!m) this.fail('invalid escape \\x{…}');
          this.i += m[0].length;
          return leaf(2, true);
        }
        let n = 0;
        while (HEX.test(s[this.i] ?? '') && (this.r.hexBraces ? n < 2 : n < 8)) {
          this.i++;
          n++;
        }
        if (this.r.hexBraces ? n !== 2 : n === 0) this.fail('invalid escape \\x (needs hexadecimal digits)');
        return leaf(2, true);
      }
      case 'u':
      case 'U': {
        const want = c === 'u' ? 4 : 8;
        for (let n = 0; n < want; n++, this.i++) if (!HEX.test(s[this.i] ?? '')) this.fail(`invalid escape \\${c} (needs ${want} hexadecimal digits)`);
        return leaf(2, true);
      }
      case 'c':
        if (!/[A-Za-z]/.test(s[this.i] ?? '')) this.fail('invalid escape \\c (needs a letter)');
        this.i++;
        return leaf(2, true);
      case 'p':
      case 'P': {
        if (s[this.i] === '{') {
          const end = s.indexOf('}', this.i);
          if (end < 0 || !/^\^?[A-Za-z_]+$/.test(s.slice(this.i + 1, end))) this.fail(`invalid Unicode class \\${c}{…}`);
          this.i = end + 1;
        } else if (/[A-Z]/.test(s[this.i] ?? '')) this.i++;
        else this.fail(`invalid Unicode class \\${c}`);
        return leaf(UNICODE_CLASS, false);
      }
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return leaf(4, false);
      case 'b':
        // Inside brackets (PostgreSQL) a backspace; outside a word boundary (RE2) or backspace (PostgreSQL).
        return leaf(1, inClass);
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
      case 'm':
      case 'M':
      case 'y':
      case 'Y':
        return leaf(1, false);
      default:
        return leaf(2, true); // a n r t v f e: one control character
    }
  }

  bracket(): Node {
    const s = this.s;
    this.i++;
    if (s[this.i] === '^') this.i++;
    // `[]` and `[^]` are an empty / any-character class in JavaScript, a literal `]` elsewhere.
    if (s[this.i] === ']') this.fail('empty character class [] is not supported');
    let cost = 2;
    for (;;) {
      if (this.i >= s.length) this.fail('missing ]');
      if (s[this.i] === ']') {
        this.i++;
        return { kind: 'leaf', cost };
      }
      const item = this.classItem();
      cost += item.cost;
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classItem();
        if (item.code === null || hi.code === null) this.fail('a range in [ ] must be between two characters');
        if (item.code > hi.code) this.fail('character range out of order');
        cost += hi.cost;
      }
    }
  }

  /** One member of a bracket expression; `code` is its character when it is a single one. */
  classItem(): { cost: number; code: number | null } {
    const s = this.s;
    if (s.startsWith('[:', this.i)) {
      const end = s.indexOf(':]', this.i + 2);
      if (end > 0) {
        const name = s.slice(this.i + 2, end);
        if (!this.r.posixClasses.has(name)) this.fail(`unknown character class [:${name}:]`);
        this.i = end + 2;
        return { cost: 4, code: null };
      }
    }
    if (s[this.i] === '\\') {
      const start = this.i;
      const { node, single } = this.escape(true);
      const cost = node.kind === 'leaf' ? node.cost : 2;
      if (!single) return { cost, code: null };
      const text = s.slice(start, this.i);
      const code = text.length === 2 ? text.charCodeAt(1) : -1;
      return { cost, code: code >= 0 && !/[A-Za-z0-9]/.test(text[1]) ? code : 0 };
    }
    const code = s.codePointAt(this.i)!;
    this.i += code > 0xffff ? 2 : 1;
    return { cost: 1, code };
  }
}

/** Estimated number of program instructions, as the engines expand counted repetitions. */
function cost(n: Node): number {
  switch (n.kind) {
    case 'leaf':
      return n.cost;
    case 'seq':
      return n.kids.reduce((a, k) => a + cost(k), 0);
    case 'alt':
      return n.kids.reduce((a, k) => a + cost(k) + 1, 0);
    case 'repeat':
      return cost(n.kid) * Math.max(1, n.max < 0 ? n.min + 1 : n.max) + 2;
  }
}

/** RE2's check on nested counted repetitions (see RegexRules.nestedBudget). */
function withinBudget(n: Node, budget: number): boolean {
  switch (n.kind) {
    case 'leaf':
      return budget > 0;
    case 'seq':
    case 'alt':
      return n.kids.every((k) => withinBudget(k, budget));
    case 'repeat': {
      const m = n.max < 0 ? n.min : n.max;
      return withinBudget(n.kid, n.counted && m > 0 ? Math.floor(budget / m) : budget);
    }
  }
}

/** Why the engine of `rules` would refuse `pattern`, or null when it should accept it. */
export function regexProblem(pattern: string, rules: RegexRules): string | null {
  try {
    const p = new Parser(pattern, rules);
    const tree = p.alt();
    if (p.i < pattern.length) p.fail('unmatched )');
    if (rules.nestedBudget !== null && !withinBudget(tree, rules.nestedBudget)) {
      p.fail(`nested repetition counts multiply to more than ${rules.nestedBudget}`);
    }
    if (cost(tree) > rules.maxProgram) p.fail('pattern too large once its repetitions are expanded');
    return null;
  } catch (err) {
    if (err instanceof Problem) return `${rules.engine} cannot use this regular expression: ${err.message}`;
    throw err;
  }
}
