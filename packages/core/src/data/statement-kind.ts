/**
 * Whether a statement may run on a hot-standby replica. Decided once per distinct SQL text
 * (per `sql` call site on the fast path), never per call.
 *
 * Only a plain read is a `read`: it starts with SELECT, WITH, VALUES, TABLE or SHOW and contains
 * no data-modifying keyword, no locking clause (`FOR UPDATE`, `FOR SHARE`...), no `SELECT ... INTO`
 * and no call of a built-in function that writes or needs a transaction id. Everything else is a
 * `write` and goes to the primary. Mistakes fall on the safe side: an unusual read classified as
 * a write runs on the primary, it never fails. A user-defined function that writes, called from a
 * SELECT, is invisible here: run it through `write`.
 */
export type StatementKind = 'read' | 'write';

const READ_STARTS = new Set(['select', 'with', 'values', 'table', 'show']);
const WRITES = /\b(?:insert|update|delete|merge|into|truncate|copy|call|lock|nextval|setval|txid_current|pg_current_xact_id|pg_notify|pg_(?:try_)?advisory_(?:xact_)?lock(?:_shared)?|lo_create|lo_unlink|lo_import)\b|\bfor\s+(?:no\s+key\s+update|key\s+share|share|update)\b/;
const FIRST_WORD = /^[\s(]*([a-z]+)/;

export function statementKind(text: string): StatementKind {
  const bare = stripLiteralsAndComments(text).toLowerCase();
  const first = FIRST_WORD.exec(bare)?.[1];
  if (first === undefined || !READ_STARTS.has(first)) return 'write';
  return WRITES.test(bare) ? 'write' : 'read';
}

/**
 * Blanks out string literals ('...', E'...', $tag$...$tag$), quoted identifiers ("...") and
 * comments, so that keywords inside them do not count. Parameters never appear in the text.
 */
export function stripLiteralsAndComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; } else if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; } else i++;
      }
      out += ' ';
    } else if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        if (text[i] === c) {
          if (text[i + 1] === c) { i += 2; continue; }
          break;
        }
        // E'...' strings may escape the quote with a backslash; skipping it is harmless elsewhere.
        if (c === "'" && text[i] === '\\') i++;
        i++;
      }
      i++;
      out += c === "'" ? " '' " : ' "" ';
    } else if (c === '$' && (i === 0 || !/[\w$]/.test(text[i - 1]!))) {
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(text.slice(i, i + 64));
      if (!tag) { out += c; i++; continue; }
      const end = text.indexOf(tag[0], i + tag[0].length);
      i = end < 0 ? n : end + tag[0].length;
      out += " '' ";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
