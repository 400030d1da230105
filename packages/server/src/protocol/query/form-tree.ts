/**
 * A Query form's parameter names, split at their dots into a tree, so a decoder walks it by the
 * model's shapes: `Tags.member.1.Key=k` is the node Tags → member → 1 → Key with the value `k`.
 * Maps, not objects: names are the caller's, and `__proto__` must be just another name.
 */
import type { QueryForm } from "./form.js";

export interface FormNode {
  /** The value given for exactly this name, if any. */
  value: string | undefined;
  /** Names that continue past this one, by their next segment. */
  children: Map<string, FormNode> | undefined;
}

/** The tree of a form; protocol parameters (`Action`, `Version`) are its caller's to leave out. */
export function formTree(form: QueryForm, leaveOut: ReadonlySet<string>): FormNode {
  const root: FormNode = { value: undefined, children: undefined };
  for (const [name, value] of form) {
    if (leaveOut.has(name)) continue;
    let node = root;
    for (const segment of name.split(".")) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { value: undefined, children: undefined };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}
