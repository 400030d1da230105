/** A fenced code block of the README that the README test runs (or is told not to). */
export interface Snippet {
  /** 1-based line of the opening fence in the README. */
  line: number;
  lang: "sh" | "ts" | "js";
  code: string;
  /** Set when the block is preceded by `<!-- not-run: reason -->`: the reason. */
  notRun?: string;
}

const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const notRunMarker = /^\s*<!--\s*not-run:\s*(.*?)\s*-->\s*$/;
const runnable: Readonly<Record<string, Snippet["lang"]>> = { sh: "sh", ts: "ts", js: "js" };

/**
 * The ```sh and ```ts blocks of a Markdown text, in order. A block whose nearest non-blank line
 * before the fence is `<!-- not-run: reason -->` carries that reason; a marker with no reason
 * counts as an error, so every exception is explained. Other fences (```dockerfile, ```json, …)
 * are skipped, and their contents never count as fences.
 */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  let lastText: { line: number; text: string } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] ?? "";
    const open = fence.exec(text);
    if (!open) {
      if (text.trim() !== "") lastText = { line: index + 1, text };
      continue;
    }
    const [, indent = "", marks = "", info = ""] = open;
    const body: string[] = [];
    let close = index + 1;
    for (; close < lines.length; close++) {
      const candidate = lines[close] ?? "";
      if (candidate.trim().startsWith(marks) && candidate.trim().replace(/[`~]/g, "") === "") break;
      body.push(candidate.startsWith(indent) ? candidate.slice(indent.length) : candidate);
    }
    if (close >= lines.length) throw new Error(`README line ${index + 1}: the code block is never closed`);
    const lang = runnable[info];
    if (lang !== undefined) {
      if (lastText && /^\s*<!--\s*not-run/.test(lastText.text) && !notRunMarker.test(lastText.text)) {
        throw new Error(`README line ${lastText.line}: write the marker as <!-- not-run: reason -->`);
      }
      const marker = lastText && notRunMarker.exec(lastText.text);
      const snippet: Snippet = { line: index + 1, lang, code: `${body.join("\n")}\n` };
      if (marker) {
        if (!marker[1]) throw new Error(`README line ${lastText?.line}: a not-run marker needs a reason`);
        snippet.notRun = marker[1];
      }
      snippets.push(snippet);
    }
    lastText = undefined;
    index = close;
  }
  return snippets;
}

const npmCommand = /(?:^|[;&|(])\s*(?:[\w-]+=\S*\s+)*npm\s+(install|i|ci|start|test|t)\b/m;

/**
 * The `npm …` command a snippet must not run unmarked (`install`, `i`, `ci`, `start`, `test`, `t`),
 * or undefined: installing would change the repository's node_modules, `npm start` would start a
 * second server in the foreground, and `npm test` would run the README test inside itself.
 */
export function forbiddenCommand(code: string): string | undefined {
  const match = npmCommand.exec(code);
  return match ? `npm ${match[1]}` : undefined;
}
