// SQL fragments: literal text with values kept apart. Values only ever reach the database as bound
// parameters; a dialect numbers the placeholders when a whole statement is rendered.

export type SqlValue = string | number | boolean | null;

export class Sql {
  constructor(
    readonly parts: readonly string[],
    readonly values: readonly SqlValue[],
  ) {}
}

type Piece = Sql | SqlValue;

/** Tagged template: nested Sql fragments are spliced in, anything else becomes a parameter. */
export function sql(strings: TemplateStringsArray, ...pieces: Piece[]): Sql {
  const parts: string[] = [strings[0]];
  const values: SqlValue[] = [];
  pieces.forEach((piece, i) => {
    if (piece instanceof Sql) {
      parts[parts.length - 1] += piece.parts[0];
      for (let j = 0; j < piece.values.length; j++) {
        values.push(piece.values[j]);
        parts.push(piece.parts[j + 1]);
      }
    } else {
      values.push(piece);
      parts.push('');
    }
    parts[parts.length - 1] += strings[i + 1];
  });
  return new Sql(parts, values);
}

/** Trusted text (identifiers and keywords written in this codebase, never user input). */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

/** An integer computed by us (limits, offsets in minutes), inlined as a literal. */
export function int(n: number): Sql {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return raw(String(n));
}

export function join(items: readonly Sql[], separator = ', '): Sql {
  if (items.length === 0) return raw('');
  return items.slice(1).reduce((acc, item) => sql`${acc}${raw(separator)}${item}`, items[0]);
}


/**
 * Render a statement with one placeholder per distinct value; `placeholder` writes the n-th
 * (1-based) in the dialect's syntax.
 */
export function renderWith(stmt: Sql, placeholder: (n: number, value: SqlValue) => string): { text: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const index = new Map<string, number>();
  let text = stmt.parts[0];
  stmt.values.forEach((value, i) => {
    const key = `${typeof value}:${String(value)}`;
    let n = index.get(key);
    if (n === undefined) {
      params.push(value);
      n = params.length;
      index.set(key, n);
    }
    text += placeholder(n, value) + stmt.parts[i + 1];
  });
  return { text, params };
}

/** Render with `$n` placeholders (DuckDB, PostgreSQL). */
export const renderNumbered = (stmt: Sql) => renderWith(stmt, (n) => `$${n}`);
