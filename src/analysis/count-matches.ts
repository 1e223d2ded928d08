/** Counting regex matches cheaply, for the analysers' "at least N of these" tests. */

/**
 * Counts matches of a global regex in `text`, stopping once `stopAt` is reached, so a long text
 * costs no more than the test needs. The regex's `lastIndex` is reset before and after.
 */
export function countMatches(re: RegExp, text: string, stopAt: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < stopAt && re.exec(text) !== null) n++;
  re.lastIndex = 0;
  return n;
}
