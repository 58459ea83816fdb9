/**
 * Header field values near a plain form: one of `plain`, changed by one to four edits, each cutting up to 6
 * characters at some place and putting one of `pieces` there. The quick paths' property tests (via-quick-path,
 * name-addr-quick-path) hold them to the general parsers on such values.
 */
import fc from 'fast-check';

export function editedValues(plain: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: plain.length - 1 }),
      fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 6 }), insert: fc.constantFrom(...pieces) }), { minLength: 1, maxLength: 4 }),
    )
    .map(([which, edits]) => {
      let value = plain[which];
      for (const edit of edits) {
        const at = edit.at % (value.length + 1);
        value = value.slice(0, at) + edit.insert + value.slice(at + edit.cut);
      }
      return value;
    });
}
