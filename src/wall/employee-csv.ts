/**
 * Reads the CSV an admin uploads to create employees in bulk: one person a line, columns
 * `email,name[,username]`, an optional header line naming them, RFC 4180 quoting. Every bad line
 * is reported with its number and reason; the good ones go ahead without it.
 */

export interface EmployeeRow {
  /** The line the row starts on, 1-based, as an editor shows it. */
  readonly line: number;
  readonly email: string;
  readonly name: string;
  readonly username: string | null;
}

export interface RowProblem {
  readonly line: number;
  readonly message: string;
}

/** A plain address check: something@domain.tld, no spaces or list separators. */
export const EMAIL = /^[^\s@,;<>"']+@[^\s@,;<>"']+\.[^\s@,;<>"']+$/;
export const USERNAME = /^[A-Za-z0-9._-]{2,64}$/;
export const MAX_ROWS = 5_000;

export function parseEmployeesCsv(text: string): { rows: EmployeeRow[]; problems: RowProblem[] } {
  const rows: EmployeeRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of csvRecords(text)) {
    if (fields.every((field) => field.trim() === '')) continue;
    const [rawEmail = '', rawName = '', rawUsername = '', ...extra] = fields.map((field) => field.trim());
    if (line === 1 && rawEmail.toLowerCase() === 'email') continue;
    const email = rawEmail.toLowerCase();
    const problem = extra.some((field) => field !== '')
      ? 'too many columns (email, name, username)'
      : !EMAIL.test(email)
        ? `"${rawEmail}" is not an e-mail address`
        : rawName === ''
          ? 'the name is missing'
          : rawName.length > 100
            ? 'the name is longer than 100 characters'
            : rawUsername !== '' && !USERNAME.test(rawUsername)
              ? `"${rawUsername}" is not a username (2–64 of A–Z, a–z, 0–9, . _ -)`
              : seen.has(email)
                ? `${email} is already on line ${seen.get(email)}`
                : null;
    if (problem) {
      problems.push({ line, message: problem });
      continue;
    }
    if (rows.length >= MAX_ROWS) {
      problems.push({ line, message: `more than ${MAX_ROWS} people in one file` });
      continue;
    }
    seen.set(email, line);
    rows.push({ line, email, name: rawName, username: rawUsername || null });
  }
  return { rows, problems };
}

/** RFC 4180 records with the line each starts on; a quoted field may hold commas, quotes ("") and newlines. */
function* csvRecords(text: string): Generator<{ line: number; fields: string[] }> {
  let line = 1;
  let start = 1;
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === ',' || char === ';') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      fields.push(field);
      yield { line: start, fields };
      line += 1;
      start = line;
      field = '';
      fields = [];
    } else field += char;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield { line: start, fields };
  }
}
