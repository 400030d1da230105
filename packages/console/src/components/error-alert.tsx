import { describeError } from "../api/api-error.js";

/** An API error as the server named it (`AccessDeniedException: …`), announced to screen readers. */
export function ErrorAlert(props: { error: unknown; context?: string }) {
  if (props.error === undefined || props.error === null) return null;
  const { name, message } = describeError(props.error);
  return (
    <div className="alert alert-error" role="alert">
      {props.context ? <strong>{props.context}: </strong> : null}
      <span className="error-name">{name}</span>: <span className="error-message">{message}</span>
    </div>
  );
}

/** A polite status line (saved, copied…). */
export function StatusMessage(props: { children: React.ReactNode }) {
  return (
    <p className="status" role="status">
      {props.children}
    </p>
  );
}
