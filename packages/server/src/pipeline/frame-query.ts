import {
  MissingActionException,
  MissingParameterException,
  UnknownOperationException,
} from "../errors/catalog.js";
import { parseForm } from "../protocol/query/form.js";
import type { FramedCall, QueryCallPending } from "./frame.js";
import { truncate } from "./transport-call.js";

/**
 * Phase 1 of a Query call, finished once its body is read: the form names the operation
 * (`Action`) and the API version (`Version`, which must be the model's). An action the model has
 * but Coffer does not serve is told so, never answered with a fake success.
 */
export function frameQuery(pending: QueryCallPending, body: Buffer): FramedCall {
  const { api } = pending;
  const form = parseForm(body);
  const action = form.get("Action");
  if (action === undefined || action === "") {
    throw new MissingActionException(
      `The request names no action: the form body must carry Action=<Operation>&Version=${api.version}.`,
    );
  }
  const version = form.get("Version");
  if (version === undefined || version === "") {
    throw new MissingParameterException(`The request must contain the parameter Version (${api.version}).`);
  }
  const operation = api.operations.get(action);
  if (version !== api.version) {
    throw new UnknownOperationException(
      `Could not find operation ${truncate(action)} for version ${truncate(version)}; Coffer's ${api.name.toUpperCase()} speaks version ${api.version}.`,
    );
  }
  if (operation === undefined) {
    throw new UnknownOperationException(
      api.modelOperations.has(action)
        ? `Coffer does not serve ${action}; its ${api.name.toUpperCase()} endpoint serves ${[...api.operations.keys()].join(", ")}.`
        : `Could not find operation ${truncate(action)} for version ${api.version}.`,
    );
  }
  return { api, operation, form };
}
