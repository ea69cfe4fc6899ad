// The one rule for text that reaches a store (src/ingest/storable-rows.ts applies it to hits, the filter
// parser to filter values): a lone UTF-16 surrogate or a NUL becomes U+FFFD, one unit for one.

// With the u flag a surrogate range matches only surrogates that are not half of a pair.
export const UNSTORABLE = /[\0\ud800-\udfff]/u;
export const UNSTORABLE_ALL = /[\0\ud800-\udfff]/gu;

export function storableText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s;
}
