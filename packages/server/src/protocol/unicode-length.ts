/**
 * String length as Smithy defines it for `length` constraints: Unicode code points, so an emoji
 * counts once. (JS `.length` counts UTF-16 code units; a lone surrogate counts as one code point.)
 */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const nextUnit = text.charCodeAt(i + 1);
      if (nextUnit >= 0xdc00 && nextUnit <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}
