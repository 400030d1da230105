/**
 * Test support: every place in an operation's input where a value can go (members at any depth, list
 * items, map values), generated from the model, and a way to put a chosen value there inside an
 * otherwise valid input. Named `*.test-helper.ts` so it is neither run as a test nor shipped.
 */
import fc from "fast-check";
import { type ServiceModel, shapeNamed } from "./model.js";
import { arbitraryForShape } from "./shape-arbitrary.test-helper.js";
import { lowerCamelCase } from "./shape-checks.js";

/** One step down: a structure member by wire name, the first list item, or the first map value. */
export type Step = { readonly member: string } | "item" | "value";

export interface MemberPath {
  readonly steps: readonly Step[];
  /** Shape of the value each step reaches (same length as `steps`). */
  readonly shapes: readonly string[];
  /** The path as AWS names it in messages, e.g. `tags.1.member.key`. */
  readonly awsPath: string;
}

/** Every member path below `shapeName`, depth-first; a recursive shape is entered once per path. */
export function memberPaths(model: ServiceModel, shapeName: string, maxDepth = 8): MemberPath[] {
  const found: MemberPath[] = [];
  const walk = (name: string, steps: Step[], shapes: string[], aws: string[], stack: string[]) => {
    if (steps.length >= maxDepth || stack.includes(name)) return;
    const shape = shapeNamed(model, name);
    const down = (step: Step, child: string, segment: string) => {
      const path = {
        steps: [...steps, step],
        shapes: [...shapes, child],
        awsPath: [...aws, segment].join("."),
      };
      found.push(path);
      walk(child, [...path.steps], [...path.shapes], [...aws, segment], [...stack, name]);
    };
    if (shape.type === "structure") {
      for (const [member, ref] of Object.entries(shape.members)) {
        down({ member }, ref.shape, lowerCamelCase(member));
      }
    } else if (shape.type === "list") {
      down("item", shape.member.shape, "1.member");
    } else if (shape.type === "map") {
      down("value", shape.value.shape, "1.value");
    }
  };
  walk(shapeName, [], [], [], []);
  return found;
}

/** Valid values for shapes, drawn by fast-check from the model (reproducible from the seed). */
export class ShapeSampler {
  private readonly arbitraries = new Map<string, fc.Arbitrary<unknown>>();
  private draws = 0;

  constructor(
    private readonly model: ServiceModel,
    private readonly seed: number,
  ) {}

  sample(shapeName: string): unknown {
    let arbitrary = this.arbitraries.get(shapeName);
    if (arbitrary === undefined) {
      arbitrary = arbitraryForShape(this.model, shapeName);
      this.arbitraries.set(shapeName, arbitrary);
    }
    this.draws++;
    const [value] = fc.sample(arbitrary, { numRuns: 1, seed: this.seed + this.draws });
    return value;
  }
}

/**
 * A deep copy of `input` (valid for `rootShape`) with `value` at `path`. Containers on the way are
 * created from valid samples where missing, so the value is the only thing wrong (or odd) in it.
 */
export function placeAt(
  model: ServiceModel,
  sampler: ShapeSampler,
  input: Record<string, unknown>,
  path: MemberPath,
  value: unknown,
): Record<string, unknown> {
  const root = structuredClone(input);
  let container: unknown = root;
  path.steps.forEach((step, index) => {
    const last = index === path.steps.length - 1;
    const childShape = path.shapes[index] as string;
    const fresh = () => (last ? value : nonEmpty(model, sampler, childShape));
    if (step === "item") {
      const list = container as unknown[];
      if (last || list.length === 0) list[0] = fresh();
      else if (!isContainer(list[0])) list[0] = fresh();
      container = list[0];
    } else if (step === "value") {
      const map = container as Record<string, unknown>;
      let key = Object.keys(map)[0];
      if (key === undefined) {
        const mapShape = shapeNamed(model, path.shapes[index - 1] as string);
        key = mapShape.type === "map" ? String(sampler.sample(mapShape.key.shape)) : "k";
      }
      if (last || !isContainer(map[key])) map[key] = fresh();
      container = map[key];
    } else {
      const structure = container as Record<string, unknown>;
      if (last || !isContainer(structure[step.member])) structure[step.member] = fresh();
      container = structure[step.member];
    }
  });
  return root;
}

/** A valid value of a shape with at least one item (lists) or entry (maps), so paths can go through it. */
function nonEmpty(model: ServiceModel, sampler: ShapeSampler, shapeName: string): unknown {
  const shape = shapeNamed(model, shapeName);
  for (let attempt = 0; attempt < 20; attempt++) {
    const value = sampler.sample(shapeName);
    if (shape.type === "list" && Array.isArray(value) && value.length === 0) continue;
    if (shape.type === "map" && isContainer(value) && Object.keys(value).length === 0) continue;
    return value;
  }
  if (shape.type === "list") return [sampler.sample(shape.member.shape)];
  if (shape.type === "map")
    return { [String(sampler.sample(shape.key.shape))]: sampler.sample(shape.value.shape) };
  return sampler.sample(shapeName);
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
