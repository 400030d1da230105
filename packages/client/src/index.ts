export type { StandardSchemaV1 } from "@standard-schema/spec";
export { AgentBackend } from "./backends/agent.js";
export { ChainBackend } from "./backends/chain.js";
export { DotenvBackend } from "./backends/dotenv.js";
export { EnvBackend, envNameFor } from "./backends/env.js";
export { FilesBackend } from "./backends/files.js";
export { SecretsManagerBackend } from "./backends/secrets-manager.js";
export type { SecretChangedEvent } from "./change-feed.js";
export { CHANGE_FEED_ID, createSecrets, METRICS_REPORT_ID } from "./client.js";
export { parseSourceList } from "./config.js";
export { secrets } from "./default-client.js";
export {
  checkedEndpointUrl,
  DEFAULT_COFFER_ENDPOINT,
  type EndpointSource,
  endpointFromEnvironment,
  type ResolvedEndpoint,
  resolveEndpoint,
} from "./endpoint.js";
export {
  AccessDeniedError,
  BackendUnavailableError,
  CofferClientError,
  EndpointConfigError,
  SecretNotFoundError,
  SecretValidationError,
  type UnresolvedReference,
  UnresolvedReferencesError,
  type ValidationIssue,
} from "./errors.js";
export { parseReference, type Reference } from "./reference.js";
export { refreshOnAuthFailure } from "./refresh-on-auth-failure.js";
export {
  createSdkClient,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_READ_TIMEOUT_SECONDS,
  RequestTimeoutError,
  type Timeouts,
} from "./sdk-client.js";
export { Secret } from "./secret.js";
export {
  classifyTransportFailure,
  type TransportFailure,
  type TransportFailureKind,
} from "./transport-failure.js";
export type {
  Backend,
  BatchResult,
  CacheOptions,
  ErrorContext,
  FetchEvent,
  FetchRequest,
  GetJsonOptions,
  GetOptions,
  SecretRecord,
  SecretsClient,
  SecretsOptions,
  SourceKind,
  SourceSpec,
} from "./types.js";
