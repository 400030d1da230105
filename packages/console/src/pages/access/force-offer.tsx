import type { ActionState } from "./use-call.js";

/**
 * After the server refused a change that would lock the administrators out, offers to do it anyway
 * (the same call with `Force: true`), after a confirmation.
 */
export function ForceOffer(props: { action: ActionState }) {
  const what = props.action.forceWhat;
  if (what === undefined) return null;
  return (
    <p>
      <button
        type="button"
        className="danger"
        disabled={props.action.busy}
        onClick={() => {
          if (
            !window.confirm(
              `${what} anyway? Coffer warned that this may leave nobody able to administer it; only \`coffer admin recover\`, run where the data folder is, would get admin access back.`,
            )
          )
            return;
          void props.action.forceAgain();
        }}
      >
        {what} anyway
      </button>
    </p>
  );
}
