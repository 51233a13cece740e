// SOQL lexer and recursive-descent parser for the org emulator.
//
// Grammar (the subset the emulator evaluates; anything else is rejected with MALFORMED_QUERY):
//   query      := SELECT selectList FROM name [alias] [WHERE cond] [GROUP BY path (, path)*]
//                 [ORDER BY orderItem (, orderItem)*] [LIMIT int] [OFFSET int]
//   selectList := COUNT() | selectItem (, selectItem)*
//   selectItem := path [alias] | aggFn '(' path ')' [alias] | '(' query-on-child-relationship ')'
//   cond       := unary ((AND unary)* | (OR unary)*)        -- mixing AND and OR needs parentheses, as in SOQL
//   unary      := NOT unary | '(' cond ')' | path op value | path [NOT] IN '(' values | query ')'
//   op         := = | != | <> | < | <= | > | >= | LIKE
// Rejected: TYPEOF, FIELDS(), date/format functions, HAVING, WITH …, USING SCOPE, FOR VIEW/REFERENCE/UPDATE,
// UPDATE TRACKING/VIEWSTAT, GROUP BY ROLLUP/CUBE, INCLUDES/EXCLUDES, bind variables, fiscal date literals.

export type SoqlErrorCode =
  | 'MALFORMED_QUERY'
  | 'INVALID_FIELD'
  | 'INVALID_TYPE'
  | 'INVALID_QUERY_FILTER_OPERATOR'
  | 'NUMBER_OUTSIDE_VALID_RANGE';

/**
 * A query error as the REST API reports it: `errorCode` plus `message`. When the error has a position, `message`
 * carries Salesforce's location prefix ("\n<query line>\n   ^\nERROR at Row:1:Column:4\n<text>"); `detail` is
 * the bare text either way.
 */
export class SoqlError extends Error {
  public detail: string;
  public constructor(public errorCode: SoqlErrorCode, message: string) {
    super(message);
    this.name = 'SoqlError';
    this.detail = message;
  }
}

/** Builds a SoqlError located at `pos` (a character offset in `text`) the way Salesforce formats it. */
export function soqlErrorAt(errorCode: SoqlErrorCode, detail: string, text: string, pos: number): SoqlError {
  const before = text.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const column = pos - lineStart + 1;
  const error = new SoqlError(errorCode, `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`);
  error.detail = detail;
  return error;
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'eof';

export type Token = {
  kind: TokenKind;
  /** Source text of the token (for a string: what is between the quotes, escapes intact). */
  text: string;
  pos: number;
};

const PUNCT = ['!=', '<>', '<=', '>=', '(', ')', ',', '.', '=', '<', '>', ':', '-', '+'];
const STRING_ESCAPES = new Set(['n', 'N', 'r', 'R', 't', 'T', 'b', 'B', 'f', 'F', '"', "'", '\\', '%', '_']);
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:[Zz]|[+-]\d{2}:\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}/;
const NUMBER_RE = /^\d+(?:\.\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Source of the string literal opening at `quote` (without quotes), up to its closing quote or the end. */
function literalSource(text: string, quote: number): string {
  let j = quote + 1;
  while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
  return text.slice(quote + 1, Math.min(j, text.length));
}

function illegalEscape(raw: string, seq: string, text: string, pos: number): SoqlError {
  return soqlErrorAt('MALFORMED_QUERY', `Invalid string literal '${raw}'. Illegal character sequence '${seq}' in string literal.`, text, pos);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (ch === "'") {
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const c = text[j];
        if (c === '\\') {
          const next = text.charAt(j + 1);
          if (next === 'u') {
            if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
              throw illegalEscape(literalSource(text, i), text.slice(j, j + 6), text, i);
            }
            j += 6;
            continue;
          }
          if (next === '') break;
          if (!STRING_ESCAPES.has(next)) throw illegalEscape(literalSource(text, i), `\\${next}`, text, i);
          j += 2;
          continue;
        }
        if (c === "'") {
          closed = true;
          break;
        }
        j++;
      }
      if (!closed) throw soqlErrorAt('MALFORMED_QUERY', "mismatched character '<EOF>' expecting '''", text, text.length);
      tokens.push({ kind: 'string', text: text.slice(i + 1, j), pos: i });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const dt = DATETIME_RE.exec(rest);
      const date = dt ? null : DATE_RE.exec(rest);
      const m = dt ?? date ?? NUMBER_RE.exec(rest);
      const kind: TokenKind = dt ? 'datetime' : date ? 'date' : 'number';
      const lexeme = m ? m[0] : ch;
      // A literal running straight into letters or digits ("2026-01-01x", "12abc") is not a token boundary.
      if (/^[A-Za-z0-9_]/.test(text.slice(i + lexeme.length))) {
        const bad = /^[A-Za-z0-9_:.+-]+/.exec(rest);
        const word = bad ? bad[0] : lexeme;
        throw soqlErrorAt('MALFORMED_QUERY', kind === 'number' ? `unexpected token: '${word}'` : `Invalid ${kind === 'date' ? 'date' : 'datetime'}: ${word}`, text, i);
      }
      tokens.push({ kind, text: lexeme, pos: i });
      i += lexeme.length;
      continue;
    }
    const ident = IDENT_RE.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const punct = PUNCT.find((p) => rest.startsWith(p));
    if (punct !== undefined) {
      tokens.push({ kind: 'punct', text: punct, pos: i });
      i += punct.length;
      continue;
    }
    throw soqlErrorAt('MALFORMED_QUERY', `unexpected token: '${ch}'`, text, i);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: text.length });
  return tokens;
}

/**
 * Decodes a string literal's source. Outside LIKE, `\%` and `\_` are illegal; inside LIKE they stand for a literal
 * % or _, so the result marks each character as literal or wildcard.
 */
export function decodeString(raw: string, text: string, pos: number): string {
  return decodeChars(raw, false, text, pos)
    .map((c) => c.ch)
    .join('');
}

export type PatternChar = { ch: string; wildcard: boolean };

export function decodeLikePattern(raw: string, text: string, pos: number): PatternChar[] {
  return decodeChars(raw, true, text, pos);
}

function decodeChars(raw: string, like: boolean, text: string, pos: number): PatternChar[] {
  const out: PatternChar[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\') {
      out.push({ ch, wildcard: like && (ch === '%' || ch === '_') });
      continue;
    }
    const next = raw[i + 1];
    i++;
    switch (next) {
      case 'n':
      case 'N':
        out.push({ ch: '\n', wildcard: false });
        break;
      case 'r':
      case 'R':
        out.push({ ch: '\r', wildcard: false });
        break;
      case 't':
      case 'T':
        out.push({ ch: '\t', wildcard: false });
        break;
      case 'b':
      case 'B':
        out.push({ ch: '\b', wildcard: false });
        break;
      case 'f':
      case 'F':
        out.push({ ch: '\f', wildcard: false });
        break;
      case 'u':
        out.push({ ch: String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16)), wildcard: false });
        i += 4;
        break;
      case '%':
      case '_':
        if (!like) throw illegalEscape(raw, `\\${next}`, text, pos);
        out.push({ ch: next, wildcard: false });
        break;
      default:
        // ', ", \ (the lexer has already rejected anything else)
        out.push({ ch: next, wildcard: false });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

export type FieldRef = { path: string[]; pos: number };

export type AggregateFn = 'COUNT' | 'COUNT_DISTINCT' | 'MAX' | 'MIN' | 'SUM' | 'AVG';

export type AggregateCall = { fn: AggregateFn; arg: FieldRef; pos: number };

export type SelectItem =
  | { kind: 'field'; field: FieldRef; alias: string | null; aliasPos: number }
  | { kind: 'aggregate'; call: AggregateCall; alias: string | null; aliasPos: number }
  | { kind: 'childQuery'; query: SoqlQuery; pos: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Literal =
  /** `raw` is the source between the quotes; decoding depends on the operator (LIKE escapes). */
  | { kind: 'string'; raw: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'date'; text: string; ms: number; pos: number }
  | { kind: 'datetime'; text: string; ms: number; pos: number }
  | { kind: 'relativeDate'; name: string; n: number | null; pos: number };

export type Condition =
  | { kind: 'and'; operands: Condition[] }
  | { kind: 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Literal; pos: number }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[]; pos: number }
  | { kind: 'semiJoin'; field: FieldRef; negated: boolean; query: SoqlQuery; pos: number };

export type OrderItem = {
  target: { kind: 'field'; field: FieldRef } | { kind: 'aggregate'; call: AggregateCall };
  descending: boolean;
  /** null = the default (NULLS FIRST for ASC, NULLS LAST for DESC). */
  nullsFirst: boolean | null;
  pos: number;
};

export type SoqlQuery = {
  /** `SELECT COUNT() FROM …` */
  countOnly: boolean;
  select: SelectItem[];
  from: { name: string; alias: string | null; pos: number };
  where: Condition | null;
  groupBy: FieldRef[];
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
  offsetPos: number;
  /** The whole query text this AST came from (for error positions). */
  text: string;
  /** Offset of the SELECT keyword. */
  pos: number;
};

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'INCLUDES', 'EXCLUDES', 'GROUP', 'ORDER', 'BY',
  'LIMIT', 'OFFSET', 'NULL', 'TRUE', 'FALSE', 'HAVING', 'WITH', 'FOR', 'USING', 'ASC', 'DESC', 'NULLS', 'TYPEOF',
  'WHEN', 'THEN', 'ELSE', 'END', 'UPDATE',
]); // prettier-ignore

const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'COUNT_DISTINCT', 'MAX', 'MIN', 'SUM', 'AVG']);

/** Relative date literals without a number. */
export const RELATIVE_DATES = new Set([
  'YESTERDAY', 'TODAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH', 'THIS_MONTH', 'NEXT_MONTH',
  'LAST_90_DAYS', 'NEXT_90_DAYS', 'LAST_QUARTER', 'THIS_QUARTER', 'NEXT_QUARTER', 'LAST_YEAR', 'THIS_YEAR', 'NEXT_YEAR',
]); // prettier-ignore

/** Relative date literals that take `:n`. */
export const RELATIVE_DATES_N = new Set([
  'LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO', 'LAST_N_WEEKS', 'NEXT_N_WEEKS', 'N_WEEKS_AGO', 'LAST_N_MONTHS',
  'NEXT_N_MONTHS', 'N_MONTHS_AGO', 'LAST_N_QUARTERS', 'NEXT_N_QUARTERS', 'N_QUARTERS_AGO', 'LAST_N_YEARS',
  'NEXT_N_YEARS', 'N_YEARS_AGO',
]); // prettier-ignore

function parseDateMs(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : null;
}

function parseDateTimeMs(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return null;
  const day = parseDateMs(m[1]);
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const frac = Number((m.at(5) ?? '0').padEnd(3, '0'));
  const offH = Number(m.at(7) ?? '0');
  const offM = Number(m.at(8) ?? '0');
  if (day === null || h > 23 || mi > 59 || s > 59 || offH > 14 || offM > 59) return null;
  const sign = m[6] === '-' ? -1 : 1;
  return day + ((h * 60 + mi) * 60 + s) * 1000 + frac - sign * (offH * 60 + offM) * 60_000;
}

class Parser {
  private i = 0;

  public constructor(private readonly text: string, private readonly tokens: Token[]) {}

  public parseRoot(): SoqlQuery {
    const query = this.parseQuery('root');
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return query;
  }

  // --- token helpers -----------------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === p;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i++;
    return true;
  }

  private acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected();
    return this.next();
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) throw this.unexpected();
    return this.next();
  }

  private unexpected(token: Token = this.peek()): SoqlError {
    return this.error(`unexpected token: '${token.text}'`, token.pos);
  }

  private error(detail: string, pos: number): SoqlError {
    return soqlErrorAt('MALFORMED_QUERY', detail, this.text, pos);
  }

  private unsupported(what: string, pos: number): SoqlError {
    return this.error(`${what} is not supported by the org emulator`, pos);
  }

  private identifier(): Token {
    const t = this.peek();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase())) throw this.unexpected();
    return this.next();
  }

  // --- query -------------------------------------------------------------------------------

  private parseQuery(context: 'root' | 'child' | 'semiJoin'): SoqlQuery {
    const selectToken = this.expectKeyword('SELECT');
    if (this.isKeyword('FROM')) throw this.unexpected();
    const { countOnly, select } = this.parseSelectList(context);
    this.expectKeyword('FROM');
    const nameToken = this.identifier();
    // A dotted FROM (Account.Contacts) is a child relationship of a polymorphic parent: not modelled.
    if (this.isPunct('.')) throw this.unsupported('A dotted FROM clause', this.peek().pos);
    let alias: string | null = null;
    if (this.isKeyword('USING')) throw this.unsupported('USING SCOPE', this.peek().pos);
    if (this.peek().kind === 'ident' && !RESERVED.has(this.peek().text.toUpperCase())) alias = this.next().text;
    if (this.isKeyword('USING')) throw this.unsupported('USING SCOPE', this.peek().pos);

    let where: Condition | null = null;
    if (this.acceptKeyword('WHERE')) where = this.parseCondition(context);
    if (this.isKeyword('WITH')) throw this.unsupported('The WITH clause', this.peek().pos);

    const groupBy: FieldRef[] = [];
    if (this.isKeyword('GROUP')) {
      this.next();
      this.expectKeyword('BY');
      if (this.isKeyword('ROLLUP') || this.isKeyword('CUBE')) throw this.unsupported(`GROUP BY ${this.peek().text.toUpperCase()}`, this.peek().pos);
      do {
        groupBy.push(this.parseFieldRef());
      } while (this.acceptPunct(','));
    }
    if (this.isKeyword('HAVING')) throw this.unsupported('HAVING', this.peek().pos);

    const orderBy: OrderItem[] = [];
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      do {
        orderBy.push(this.parseOrderItem());
      } while (this.acceptPunct(','));
    }

    let limit: number | null = null;
    if (this.acceptKeyword('LIMIT')) limit = this.parseNonNegativeInt();
    let offset: number | null = null;
    let offsetPos = 0;
    if (this.isKeyword('OFFSET')) {
      offsetPos = this.next().pos;
      offset = this.parseNonNegativeInt();
    }
    if (this.isKeyword('FOR')) throw this.unsupported(`FOR ${this.peek(1).text.toUpperCase()}`, this.peek().pos);
    if (this.isKeyword('UPDATE')) throw this.unsupported(`UPDATE ${this.peek(1).text.toUpperCase()}`, this.peek().pos);

    return {
      countOnly,
      select,
      from: { name: nameToken.text, alias, pos: nameToken.pos },
      where,
      groupBy,
      orderBy,
      limit,
      offset,
      offsetPos,
      text: this.text,
      pos: selectToken.pos,
    };
  }

  private parseNonNegativeInt(): number {
    const t = this.peek();
    if (t.kind !== 'number' || t.text.includes('.')) throw this.unexpected();
    this.next();
    return Number(t.text);
  }

  // --- SELECT list ---------------------------------------------------------------------------

  private parseSelectList(context: 'root' | 'child' | 'semiJoin'): { countOnly: boolean; select: SelectItem[] } {
    if (this.isKeyword('COUNT') && this.isPunct('(', 1) && this.isPunct(')', 2)) {
      const countToken = this.next();
      this.next();
      this.next();
      if (this.isPunct(',')) throw this.error('COUNT() must be the only element in the SELECT list', countToken.pos);
      if (context !== 'root') throw this.error('COUNT() is only allowed in the outer query', countToken.pos);
      return { countOnly: true, select: [] };
    }
    const select: SelectItem[] = [];
    do {
      select.push(this.parseSelectItem(context));
    } while (this.acceptPunct(','));
    return { countOnly: false, select };
  }

  private parseSelectItem(context: 'root' | 'child' | 'semiJoin'): SelectItem {
    const t = this.peek();
    if (this.isPunct('(')) {
      if (context !== 'root') throw this.unexpected();
      this.next();
      if (!this.isKeyword('SELECT')) throw this.unexpected();
      const query = this.parseQuery('child');
      this.expectPunct(')');
      return { kind: 'childQuery', query, pos: t.pos };
    }
    if (this.isKeyword('TYPEOF')) throw this.unsupported('TYPEOF', t.pos);
    if (t.kind === 'ident' && this.isPunct('(', 1)) {
      const call = this.parseFunctionCall();
      const alias = this.parseAlias(true);
      return { kind: 'aggregate', call, alias: alias?.text ?? null, aliasPos: alias?.pos ?? -1 };
    }
    const field = this.parseFieldRef();
    const alias = this.parseAlias(false);
    return { kind: 'field', field, alias: alias?.text ?? null, aliasPos: alias?.pos ?? -1 };
  }

  /** An alias is an identifier that is not a keyword. After a plain field it must be followed by `,` or FROM. */
  private parseAlias(afterFunction: boolean): Token | null {
    const t = this.peek();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase())) return null;
    if (!afterFunction && !(this.isPunct(',', 1) || this.isKeyword('FROM', 1))) return null;
    return this.next();
  }

  private parseFunctionCall(): AggregateCall {
    const nameToken = this.next();
    const fn = nameToken.text.toUpperCase();
    if (fn === 'COUNT' && this.isPunct(')', 1)) throw this.error('COUNT() must be the only element in the SELECT list', nameToken.pos);
    if (!AGGREGATES.has(fn)) throw this.unsupported(`The function ${fn}()`, nameToken.pos);
    this.expectPunct('(');
    if (this.peek().kind === 'ident' && this.isPunct('(', 1)) throw this.unsupported('A nested function call', this.peek().pos);
    const arg = this.parseFieldRef();
    this.expectPunct(')');
    return { fn: fn as AggregateFn, arg, pos: nameToken.pos };
  }

  private parseFieldRef(): FieldRef {
    const first = this.identifier();
    if (this.isPunct('(')) throw this.unsupported(`The function ${first.text.toUpperCase()}()`, first.pos);
    const path = [first.text];
    while (this.isPunct('.')) {
      this.next();
      const t = this.peek();
      if (t.kind !== 'ident') throw this.unexpected();
      path.push(this.next().text);
    }
    return { path, pos: first.pos };
  }

  private parseOrderItem(): OrderItem {
    const t = this.peek();
    const target: OrderItem['target'] =
      t.kind === 'ident' && this.isPunct('(', 1) ? { kind: 'aggregate', call: this.parseFunctionCall() } : { kind: 'field', field: this.parseFieldRef() };
    let descending = false;
    if (this.acceptKeyword('DESC')) descending = true;
    else this.acceptKeyword('ASC');
    let nullsFirst: boolean | null = null;
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('FIRST')) nullsFirst = true;
      else if (this.acceptKeyword('LAST')) nullsFirst = false;
      else throw this.unexpected();
    }
    return { target, descending, nullsFirst, pos: t.pos };
  }

  // --- WHERE ---------------------------------------------------------------------------------

  private parseCondition(context: 'root' | 'child' | 'semiJoin'): Condition {
    const first = this.parseUnary(context);
    for (const [joiner, other] of [
      ['AND', 'OR'],
      ['OR', 'AND'],
    ] as const) {
      if (!this.isKeyword(joiner)) continue;
      const operands = [first];
      while (this.acceptKeyword(joiner)) operands.push(this.parseUnary(context));
      // SOQL has no precedence between AND and OR: mixing them without parentheses is a syntax error.
      if (this.isKeyword(other)) throw this.unexpected();
      return joiner === 'AND' ? { kind: 'and', operands } : { kind: 'or', operands };
    }
    return first;
  }

  private parseUnary(context: 'root' | 'child' | 'semiJoin'): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.parseUnary(context) };
    if (this.acceptPunct('(')) {
      const inner = this.parseCondition(context);
      this.expectPunct(')');
      return inner;
    }
    return this.parseSimpleCondition(context);
  }

  private parseSimpleCondition(context: 'root' | 'child' | 'semiJoin'): Condition {
    const field = this.parseFieldRef();
    const opToken = this.peek();
    if (opToken.kind === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(opToken.text)) {
      this.next();
      const op: CompareOp = opToken.text === '<>' ? '!=' : (opToken.text as CompareOp);
      return { kind: 'compare', field, op, value: this.parseValue(false), pos: opToken.pos };
    }
    if (this.acceptKeyword('LIKE')) return { kind: 'compare', field, op: 'LIKE', value: this.parseValue(true), pos: opToken.pos };
    let negated = false;
    if (this.isKeyword('NOT') && this.isKeyword('IN', 1)) {
      this.next();
      negated = true;
    }
    if (this.acceptKeyword('IN')) {
      this.expectPunct('(');
      if (this.isKeyword('SELECT')) {
        if (context !== 'root' && context !== 'child') throw this.error('Nesting of semi join sub-selects is not supported', this.peek().pos);
        const query = this.parseQuery('semiJoin');
        this.expectPunct(')');
        return { kind: 'semiJoin', field, negated, query, pos: opToken.pos };
      }
      const values: Literal[] = [];
      do {
        values.push(this.parseValue(false));
      } while (this.acceptPunct(','));
      this.expectPunct(')');
      return { kind: 'in', field, negated, values, pos: opToken.pos };
    }
    if (this.isKeyword('INCLUDES') || this.isKeyword('EXCLUDES')) throw this.unsupported(opToken.text.toUpperCase(), opToken.pos);
    throw this.unexpected();
  }

  /** `like`: the value of a LIKE, where `\\%` and `\\_` are legal escapes. */
  private parseValue(like: boolean): Literal {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        if (!like) decodeString(t.text, this.text, t.pos); // rejects LIKE-only escapes
        return { kind: 'string', raw: t.text, pos: t.pos };
      case 'date': {
        this.next();
        const ms = parseDateMs(t.text);
        if (ms === null) throw this.error(`Invalid date: ${t.text}`, t.pos);
        return { kind: 'date', text: t.text, ms, pos: t.pos };
      }
      case 'datetime': {
        this.next();
        const ms = parseDateTimeMs(t.text);
        if (ms === null) throw this.error(`Invalid datetime: ${t.text}`, t.pos);
        return { kind: 'datetime', text: t.text, ms, pos: t.pos };
      }
      case 'number':
        this.next();
        return { kind: 'number', value: Number(t.text), text: t.text, pos: t.pos };
      case 'punct':
        if ((t.text === '-' || t.text === '+') && this.peek(1).kind === 'number' && this.peek(1).pos === t.pos + 1) {
          this.next();
          const n = this.next();
          const value = Number(n.text) * (t.text === '-' ? -1 : 1);
          return { kind: 'number', value, text: `${t.text}${n.text}`, pos: t.pos };
        }
        throw this.unexpected();
      case 'ident':
        return this.parseWordValue(t);
      default:
        throw this.unexpected();
    }
  }

  private parseWordValue(t: Token): Literal {
    const word = t.text.toUpperCase();
    if (word === 'TRUE' || word === 'FALSE') {
      this.next();
      return { kind: 'boolean', value: word === 'TRUE', pos: t.pos };
    }
    if (word === 'NULL') {
      this.next();
      return { kind: 'null', pos: t.pos };
    }
    if (RELATIVE_DATES.has(word)) {
      this.next();
      return { kind: 'relativeDate', name: word, n: null, pos: t.pos };
    }
    if (RELATIVE_DATES_N.has(word)) {
      this.next();
      this.expectPunct(':');
      const n = this.peek();
      if (n.kind !== 'number' || n.text.includes('.')) throw this.unexpected();
      this.next();
      return { kind: 'relativeDate', name: word, n: Number(n.text), pos: t.pos };
    }
    if (/FISCAL/.test(word)) throw this.unsupported(`The fiscal date literal ${word}`, t.pos);
    throw this.unexpected();
  }
}

/** Parses a SOQL query; throws SoqlError MALFORMED_QUERY with a Salesforce-like message on a syntax error. */
export function parseSoql(text: string): SoqlQuery {
  return new Parser(text, tokenize(text)).parseRoot();
}
