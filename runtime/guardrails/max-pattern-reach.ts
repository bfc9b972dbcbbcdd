/**
 * How far past the start of a match a blocked pattern can look: the longest match it can make,
 * plus the character after it that a trailing `\b`, `\B`, `$` or lookahead examines. Infinity when
 * that has no bound (`*`, `+`, `{m,}`, a backreference, a lookbehind longer than the released text
 * a stream keeps as context).
 *
 * Exact for patterns as createPatternStage compiles them: flags `gi`, no `u`, so every character,
 * class and escape matches one UTF-16 unit even when case folds, and Annex B syntax applies (`{`
 * that starts no quantifier is a literal, `\x4` is `x` then `4`). A construct this reading is not
 * sure of counts as unbounded, never as shorter than it is.
 */
export function maxPatternReach(source: string, maxLookbehind: number): number {
  return new PatternReader(source, maxLookbehind).read();
}

interface Extent {
  /** The most characters it consumes. */
  max: number;
  /** The furthest it examines, counted from where it starts; at least `max`. */
  reach: number;
}

const nothing: Extent = { max: 0, reach: 0 };
const oneChar: Extent = { max: 1, reach: 1 };
// `$`, `\b` and `\B` consume nothing but look at the character where they stand.
const peek: Extent = { max: 0, reach: 1 };
const unbounded: Extent = { max: Number.POSITIVE_INFINITY, reach: Number.POSITIVE_INFINITY };

const bracedQuantifier = /\{(\d+)(?:(,)(\d*))?\}/y;
const hexDigits = (count: number) => new RegExp(`[0-9A-Fa-f]{${count}}`, 'y');
const twoHex = hexDigits(2);
const fourHex = hexDigits(4);
const modifierGroup = /\(\?[a-z]*(?:-[a-z]*)?:/y;

class PatternReader {
  private index = 0;
  private lookbehindDepth = 0;
  /** Set when an assertion is read; a lookbehind holding one may look at the character where it stands. */
  private sawAssertion = false;

  private readonly source: string;
  private readonly maxLookbehind: number;

  constructor(source: string, maxLookbehind: number) {
    this.source = source;
    this.maxLookbehind = maxLookbehind;
  }

  read(): number {
    const extent = this.disjunction();
    // A ')' with no '(' cannot compile; should one get here, nothing is assumed about the rest.
    return this.index < this.source.length ? Number.POSITIVE_INFINITY : extent.reach;
  }

  private disjunction(): Extent {
    let result = this.alternative();
    while (this.source[this.index] === '|') {
      this.index++;
      const next = this.alternative();
      result = { max: Math.max(result.max, next.max), reach: Math.max(result.reach, next.reach) };
    }
    return result;
  }

  private alternative(): Extent {
    let result = nothing;
    while (this.index < this.source.length && this.source[this.index] !== '|' && this.source[this.index] !== ')') {
      const term = this.quantified(this.atom());
      result = { max: result.max + term.max, reach: Math.max(result.reach, result.max + term.reach) };
    }
    return result;
  }

  private atom(): Extent {
    const char = this.source[this.index];
    switch (char) {
      case '^':
        this.index++;
        this.sawAssertion = true;
        return nothing;
      case '$':
        this.index++;
        this.sawAssertion = true;
        return peek;
      case '.':
        this.index++;
        return oneChar;
      case '[':
        this.skipClass();
        return oneChar;
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      default:
        this.index++;
        return oneChar;
    }
  }

  private quantified(atom: Extent): Extent {
    const char = this.source[this.index];
    let most: number;
    if (char === '*' || char === '+') {
      this.index++;
      most = Number.POSITIVE_INFINITY;
    } else if (char === '?') {
      this.index++;
      most = 1;
    } else {
      bracedQuantifier.lastIndex = this.index;
      const braced = bracedQuantifier.exec(this.source);
      if (!braced) return atom;
      this.index = bracedQuantifier.lastIndex;
      most =
        braced[2] === undefined ? Number(braced[1]) : braced[3] === '' ? Number.POSITIVE_INFINITY : Number(braced[3]);
    }
    if (this.source[this.index] === '?') this.index++; // lazy: the same matches, tried in another order
    if (most === 0) return nothing;
    // Repeating what consumes nothing (a lookahead, Annex B allows it) reaches no further.
    if (atom.max === 0) return atom;
    if (most === Number.POSITIVE_INFINITY || atom.max === Number.POSITIVE_INFINITY) return unbounded;
    return { max: most * atom.max, reach: (most - 1) * atom.max + atom.reach };
  }

  private group(): Extent {
    const rest = this.source.slice(this.index, this.index + 4);
    if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      if (this.lookbehindDepth > 0) return this.giveUp();
      this.index += 3;
      const inner = this.closeGroup(this.disjunction());
      return { max: 0, reach: inner.reach };
    }
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) return this.lookbehind();
    if (rest.startsWith('(?:')) this.index += 3;
    else if (rest.startsWith('(?<')) {
      const end = this.source.indexOf('>', this.index);
      if (end < 0) return this.giveUp();
      this.index = end + 1;
    } else if (rest.startsWith('(?')) {
      modifierGroup.lastIndex = this.index;
      if (!modifierGroup.test(this.source)) return this.giveUp();
      this.index = modifierGroup.lastIndex;
    } else this.index++;
    return this.closeGroup(this.disjunction());
  }

  /**
   * A lookbehind looks back over released text, which a stream keeps only `maxLookbehind`
   * characters of; one with an assertion inside may also look at the character where it stands.
   * A lookaround inside a lookbehind is beyond this reading.
   */
  private lookbehind(): Extent {
    if (this.lookbehindDepth > 0) return this.giveUp();
    this.index += 4;
    this.sawAssertion = false;
    this.lookbehindDepth++;
    const inner = this.closeGroup(this.disjunction());
    this.lookbehindDepth--;
    const hasAssertion = this.sawAssertion;
    if (inner.reach + 1 > this.maxLookbehind) return unbounded;
    return hasAssertion ? peek : nothing;
  }

  private closeGroup(inner: Extent): Extent {
    if (this.source[this.index] !== ')') return this.giveUp();
    this.index++;
    return inner;
  }

  private escape(): Extent {
    const next = this.source[this.index + 1];
    if (next === undefined) return this.giveUp();
    if (next === 'b' || next === 'B') {
      this.index += 2;
      this.sawAssertion = true;
      return peek;
    }
    // \1…\9 are backreferences (or, without that many groups, octal escapes), \k<name> a named
    // backreference: what they match depends on a group, so they are not bounded here.
    if (/[1-9k]/.test(next)) return this.giveUp();
    if (next === 'c') {
      // \cA is one control character; \c before anything else is a literal backslash, then 'c'.
      this.index += /[A-Za-z]/.test(this.source[this.index + 2] ?? '') ? 3 : 1;
      return oneChar;
    }
    this.index += 2;
    // \x41 and \u0041 are one unit; \x or \u without the digits is the letter, and the digits that
    // follow are characters of their own. Digits after \0 are read as characters too: a legacy
    // octal escape (\012) is one unit, so this overcounts, which is safe.
    const digits = next === 'x' ? twoHex : next === 'u' ? fourHex : undefined;
    if (digits) {
      digits.lastIndex = this.index;
      if (digits.test(this.source)) this.index = digits.lastIndex;
    }
    return oneChar;
  }

  /** Skips `[...]`, which matches one unit; `]` right after `[` or `[^` closes it (JS, not PCRE). */
  private skipClass(): void {
    this.index++;
    if (this.source[this.index] === '^') this.index++;
    while (this.index < this.source.length && this.source[this.index] !== ']') {
      this.index += this.source[this.index] === '\\' ? 2 : 1;
    }
    this.index++;
  }

  /** Stops reading: the rest is assumed to match anything. */
  private giveUp(): Extent {
    this.index = this.source.length;
    return unbounded;
  }
}
