/**
 * Mutable state of one `validate` call: where in the input we are, and what failed so far.
 *
 * The path is a stack of segments pushed and popped while descending, and is joined into a string
 * only when something fails, so a valid request allocates no path strings. Segments are member
 * names in lowerCamelCase (as AWS reports them), 0-based list/map entry indexes (shown 1-based, as
 * AWS does), and the constants "member", "key" and "value" after an index:
 *   filters.1.member.values.2.member      (list element)
 *   someMap.3.key / someMap.3.value       (map entry)
 */
import { SerializationException, ValidationException } from "../errors/catalog.js";
import { formatIssue, formatValidationMessage, MAX_LISTED_ISSUES, typeMismatchMessage } from "./messages.js";

export type PathSegment = string | number;

export class ValidationRun {
  readonly path: PathSegment[] = [];
  private readonly listed: string[] = [];
  private issueCount = 0;

  reset(): void {
    // Writing `length` is not free in V8, and after a valid request both arrays are already empty.
    if (this.path.length !== 0) this.path.length = 0;
    if (this.listed.length !== 0) this.listed.length = 0;
    this.issueCount = 0;
  }

  /** Records a constraint violation at the current path; `echo: false` for sensitive values. */
  report(value: unknown, echo: boolean, failed: string): void {
    this.issueCount++;
    if (this.listed.length < MAX_LISTED_ISSUES)
      this.listed.push(formatIssue(this.pathText(), value, echo, failed));
  }

  /** A wrong JSON type means the input cannot be deserialized at all, so stop at the first one. */
  typeMismatch(value: unknown, expected: string): never {
    throw new SerializationException(typeMismatchMessage(this.pathText(), value, expected));
  }

  /**
   * A value of the right JSON type that still cannot be read as the modelled type, e.g.
   *   NUMBER_VALUE can not be converted to an Integer at 'maxResults': not a whole number
   */
  unreadable(problem: string, reason: string): never {
    throw new SerializationException(`${problem} at '${this.pathText()}': ${reason}`);
  }

  throwIfInvalid(): void {
    if (this.issueCount > 0) {
      throw new ValidationException(formatValidationMessage(this.issueCount, this.listed));
    }
  }

  pathText(): string {
    let text = "";
    for (const segment of this.path) {
      const part = typeof segment === "number" ? String(segment + 1) : segment;
      text = text === "" ? part : `${text}.${part}`;
    }
    return text;
  }
}
