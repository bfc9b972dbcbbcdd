/**
 * Where the run of `runChar` characters at the end of `text` starts, but at most `maxChars` back:
 * a match made of such characters (an e-mail address, a phone number) may still be growing there.
 * A stage passes its longest possible match as `maxChars`, so a run longer than that cannot hide
 * a match that is still undecided.
 */
export function holdFromTrailingRun(text: string, runChar: RegExp, maxChars: number): number {
  const floor = Math.max(0, text.length - maxChars);
  let index = text.length;
  while (index > floor && runChar.test(text.charAt(index - 1))) index--;
  return index;
}
