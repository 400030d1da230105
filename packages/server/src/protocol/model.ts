/**
 * A typed view of botocore's JSON service models (Secrets Manager, Coffer's admin API, STS), and their loaders.
 *
 * The model file ships with the package (`packages/server/model/`) and is the single source of truth
 * for operation names, input shapes and their constraints. Only the parts the server uses are typed.
 */
import { readFileSync } from "node:fs";

/** A reference from a member, list, or map to a named shape. */
export interface ShapeRef {
  readonly shape: string;
  /** Nullable in generated SDKs; irrelevant for validation (a JSON null is always refused). */
  readonly box?: boolean;
  readonly idempotencyToken?: boolean;
  /** An operation's output, Query protocol: the element its members are wrapped in (`AssumeRoleResult`). */
  readonly resultWrapper?: string;
}

interface Sensitivity {
  /** Values of this shape are secret material and must never be echoed in messages or logs. */
  readonly sensitive?: boolean;
}

interface LengthBounds {
  readonly min?: number;
  readonly max?: number;
}

export interface StringShape extends Sensitivity, LengthBounds {
  readonly type: "string";
  /** A Java regular expression, as AWS's own validators evaluate it. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface BlobShape extends Sensitivity, LengthBounds {
  readonly type: "blob";
}

export interface NumberShape extends Sensitivity {
  readonly type: "integer" | "long";
  readonly min?: number;
  readonly max?: number;
  readonly box?: boolean;
}

export interface BooleanShape extends Sensitivity {
  readonly type: "boolean";
}

export interface TimestampShape extends Sensitivity {
  readonly type: "timestamp";
}

export interface ListShape extends Sensitivity, LengthBounds {
  readonly type: "list";
  readonly member: ShapeRef;
}

export interface MapShape extends Sensitivity, LengthBounds {
  readonly type: "map";
  readonly key: ShapeRef;
  readonly value: ShapeRef;
}

export interface StructureShape extends Sensitivity {
  readonly type: "structure";
  readonly members: Readonly<Record<string, ShapeRef>>;
  readonly required?: readonly string[];
  readonly exception?: boolean;
  readonly fault?: boolean;
}

export type Shape =
  | StringShape
  | BlobShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | ListShape
  | MapShape
  | StructureShape;

export interface Operation {
  readonly name: string;
  readonly http?: { readonly method: string; readonly requestUri: string };
  readonly input?: ShapeRef;
  readonly output?: ShapeRef;
  readonly errors?: readonly ShapeRef[];
  /** Smithy's auth schemes; `["smithy.api#noAuth"]` for an operation that is not signed. */
  readonly auth?: readonly string[];
  /** botocore's older spelling of the same: `none` for an operation that is not signed. */
  readonly authtype?: string;
}

export interface ServiceMetadata {
  readonly apiVersion: string;
  /** `json` (AWS JSON 1.1) or `query` (the AWS Query protocol). */
  readonly protocol: string;
  /** AWS JSON only. */
  readonly jsonVersion?: string;
  /** AWS JSON only: `X-Amz-Target` is `<targetPrefix>.<Operation>`. */
  readonly targetPrefix?: string;
  /** SigV4's credential scope service; `endpointPrefix` when absent (STS). */
  readonly signingName?: string;
  readonly endpointPrefix: string;
  readonly serviceId: string;
  /** Query only: the namespace of its XML answers. */
  readonly xmlNamespace?: string;
}

export interface ServiceModel {
  readonly metadata: ServiceMetadata;
  readonly operations: Readonly<Record<string, Operation>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

// src/protocol/model.ts and dist/protocol/model.js both sit two levels below packages/server/.
const MODEL_URL = new URL("../../model/secretsmanager-2017-10-17.json", import.meta.url);

const ADMIN_MODEL_URL = new URL("../../model/coffer-admin-2026-11-28.json", import.meta.url);

const STS_MODEL_URL = new URL("../../model/sts-2011-06-15.json", import.meta.url);

let cachedModel: ServiceModel | undefined;
let cachedAdminModel: ServiceModel | undefined;
let cachedStsModel: ServiceModel | undefined;

/** Reads and parses the bundled service model once per process. */
export function loadServiceModel(): ServiceModel {
  cachedModel ??= parseServiceModel(readFileSync(MODEL_URL, "utf8"));
  return cachedModel;
}

/** Coffer's own admin API (users, keys, policies, audit), described in the same model format. */
export function loadAdminModel(): ServiceModel {
  cachedAdminModel ??= parseServiceModel(readFileSync(ADMIN_MODEL_URL, "utf8"));
  return cachedAdminModel;
}

/** AWS STS (botocore's model, documentation left out): every action, though Coffer serves three. */
export function loadStsModel(): ServiceModel {
  cachedStsModel ??= parseServiceModel(readFileSync(STS_MODEL_URL, "utf8"));
  return cachedStsModel;
}

/**
 * Whether an operation is called without a signature (STS's AssumeRoleWithWebIdentity and
 * AssumeRoleWithSAML: their token or assertion is their authentication). An operation that lists
 * a signature among its schemes is signed.
 */
export function isUnsignedOperation(operation: Operation): boolean {
  if (operation.auth !== undefined && operation.auth.length > 0) {
    return operation.auth.every((scheme) => scheme === "smithy.api#noAuth");
  }
  return operation.authtype === "none";
}

/**
 * Parses model JSON with a shallow sanity check. Shape details are checked later, when validators
 * are compiled, so a model the server cannot handle fails at startup rather than per request.
 */
export function parseServiceModel(json: string): ServiceModel {
  const parsed: unknown = JSON.parse(json);
  if (
    !isRecord(parsed) ||
    !isRecord(parsed.metadata) ||
    !isRecord(parsed.operations) ||
    !isRecord(parsed.shapes)
  ) {
    throw new Error("Service model must be an object with metadata, operations and shapes");
  }
  return parsed as unknown as ServiceModel;
}

/** The model's operation names (e.g. "GetSecretValue"), sorted for stable output. */
export function operationNames(model: ServiceModel): string[] {
  return Object.keys(model.operations).sort();
}

/** Names of the shapes a shape refers to directly. */
export function childShapeNames(shape: Shape): string[] {
  switch (shape.type) {
    case "structure":
      return Object.values(shape.members).map((ref) => ref.shape);
    case "list":
      return [shape.member.shape];
    case "map":
      return [shape.key.shape, shape.value.shape];
    default:
      return [];
  }
}

/** Looks up a shape, failing loudly on a dangling reference (a broken model, not a bad request). */
export function shapeNamed(model: ServiceModel, shapeName: string): Shape {
  const shape = model.shapes[shapeName];
  if (shape === undefined) throw new Error(`Service model has no shape named ${shapeName}`);
  return shape;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every distinct `pattern` in the model, so all of them can be compiled (and checked) up front. */
export function modelPatterns(model: ServiceModel): string[] {
  const patterns = new Set<string>();
  for (const shape of Object.values(model.shapes)) {
    if (shape.type === "string" && shape.pattern !== undefined) patterns.add(shape.pattern);
  }
  return [...patterns];
}
