import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { escapeXml } from "./xml-text.js";

/** What an XML parser gives back for escaped text: the five entities and character references. */
function readXmlText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#x[0-9A-Fa-f]+);/g, (_, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[name] as string;
  });
}

/** Characters XML 1.0 allows: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and above. */
const xmlChar = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

describe("escapeXml", () => {
  it("leaves text that needs nothing as it is", () => {
    const arn = "arn:aws:sts::123456789012:assumed-role/deploy/ci-42";
    assert.equal(escapeXml(arn), arn);
  });

  it("escapes markup, double quotes and carriage returns, and leaves apostrophes readable", () => {
    assert.equal(escapeXml(`<a href="x">&'\r\n</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;'&#xD;\n&lt;/a&gt;");
  });

  it("replaces what XML cannot carry (NUL, other controls, lone surrogates) with U+FFFD", () => {
    assert.equal(escapeXml("a\u0000b\u001bc\ud800d\udc00e\uffff"), "a\ufffdb\ufffdc\ufffdd\ufffde\ufffd");
    assert.equal(escapeXml("😀"), "😀");
  });

  it("gives back any text an XML reader can read, with no markup in it, unchanged where XML allows", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii" }), (any, ascii) => {
        for (const text of [any, ascii, `${any}<&>${ascii}`]) {
          const escaped = escapeXml(text);
          assert.ok(!/[<>]/.test(escaped), escaped);
          assert.ok(xmlChar.test(readXmlText(escaped)), escaped);
          if (xmlChar.test(text)) assert.equal(readXmlText(escaped), text);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (text) => {
          assert.ok(xmlChar.test(readXmlText(escapeXml(text))));
        },
      ),
      { numRuns: 500 },
    );
  });
});
