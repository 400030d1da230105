import { describeError } from "../../api/index.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { isUnknownOperation } from "./activity-api.js";

/** An API error; a server without the activity API gets a plain explanation. */
export function OperationError(props: { error: unknown; operation: string }) {
  if (!isUnknownOperation(props.error)) return <ErrorAlert error={props.error} context={props.operation} />;
  const { name, message } = describeError(props.error);
  return (
    <div className="alert alert-error" role="alert">
      <strong>{props.operation}: </strong>
      <span className="error-name">{name}</span>: this Coffer server has no activity API yet, so there is
      nothing to show here. Upgrade the server. <span className="error-message">({message})</span>
    </div>
  );
}
