import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { extractSnippets, forbiddenCommand } from "./snippets.js";

describe("extractSnippets", () => {
  it("returns the sh and ts blocks in order with their fence's line, and the not-run reasons", () => {
    const markdown = [
      "# Title", // 1
      "", // 2
      "```sh", // 3
      "echo one", // 4
      "```", // 5
      "<!-- not-run: starts a server in the foreground -->", // 6
      "", // 7
      "```sh", // 8
      "npm start", // 9
      "```", // 10
      "```json", // 11
      '{"a": 1}', // 12
      "```", // 13
      "Some prose.", // 14
      "```ts", // 15
      'import { x } from "y";', // 16
      "```", // 17
      "````md", // 18
      "```sh", // 19
      "not a block of its own", // 20
      "```", // 21
      "````", // 22
    ].join("\n");
    assert.deepEqual(extractSnippets(markdown), [
      { line: 3, lang: "sh", code: "echo one\n" },
      { line: 8, lang: "sh", code: "npm start\n", notRun: "starts a server in the foreground" },
      { line: 15, lang: "ts", code: 'import { x } from "y";\n' },
    ]);
  });

  it("applies a marker only to the very next block, and not across prose", () => {
    const markdown =
      "<!-- not-run: why -->\nprose\n```sh\na\n```\n<!-- not-run: why -->\n```sh\nb\n```\n```sh\nc\n```\n";
    assert.deepEqual(
      extractSnippets(markdown).map((s) => [s.code, s.notRun]),
      [
        ["a\n", undefined],
        ["b\n", "why"],
        ["c\n", undefined],
      ],
    );
  });

  it("refuses a marker without a reason or misspelt, and a block never closed", () => {
    assert.throws(
      () => extractSnippets("<!-- not-run: -->\n```sh\na\n```\n"),
      /line 1: a not-run marker needs a reason/,
    );
    assert.throws(
      () => extractSnippets("<!-- not-run because -->\n```sh\na\n```\n"),
      /line 1: write the marker/,
    );
    assert.throws(() => extractSnippets("x\n```sh\na\n"), /line 2: the code block is never closed/);
  });

  it("finds every block of a generated document, with its line and contents", () => {
    const block = fc.record({
      lang: fc.constantFrom("sh", "ts", "js", "json", "dockerfile", ""),
      body: fc.array(fc.stringMatching(/^[a-z $=#"'-]{0,12}$/), { maxLength: 4 }),
      reason: fc.option(fc.stringMatching(/^[a-z][a-z ]{0,10}[a-z]$/), { nil: undefined }),
      prose: fc.array(fc.stringMatching(/^[A-Za-z .]{0,10}$/), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 8 }), (blocks) => {
        const lines: string[] = [];
        const expected: unknown[] = [];
        for (const { lang, body, reason, prose } of blocks) {
          lines.push(...prose);
          if (reason !== undefined) lines.push(`<!-- not-run: ${reason} -->`, "");
          lines.push(`\`\`\`${lang}`);
          const line = lines.length;
          lines.push(...body, "```");
          if (lang === "sh" || lang === "ts" || lang === "js") {
            const snippet = { line, lang, code: `${body.join("\n")}\n` };
            expected.push(reason === undefined ? snippet : { ...snippet, notRun: reason });
          }
        }
        assert.deepEqual(extractSnippets(lines.join("\n")), expected);
      }),
    );
  });
});

describe("forbiddenCommand", () => {
  it("finds npm install/ci/start/test at the start of a command, also after && ; | ( and variables", () => {
    assert.equal(forbiddenCommand("npm install          # installs\nnpm start\n"), "npm install");
    assert.equal(forbiddenCommand("cd examples/stock-quotes && npm start\n"), "npm start");
    assert.equal(forbiddenCommand("echo x; CI=true npm test\n"), "npm test");
    assert.equal(forbiddenCommand("(npm ci)\n"), "npm ci");
    assert.equal(forbiddenCommand("  npm i -D zod\n"), "npm i");
    assert.equal(forbiddenCommand("npm install-test\n"), "npm install");
  });

  it("lets other npm and npx commands through, and npm named in text", () => {
    assert.equal(forbiddenCommand("npm run bench\nnpx coffer list\n"), undefined);
    assert.equal(forbiddenCommand('echo "then run npm test"\n'), undefined);
  });
});
