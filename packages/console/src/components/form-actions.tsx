/** A form's submit button and, when the form can be left, its Cancel button. */
export function FormActions(props: {
  saveLabel: string;
  /** Disables the submit button (a save in flight, or a form with problems). */
  disabled: boolean;
  onCancel?: (() => void) | undefined;
}) {
  return (
    <div className="row actions">
      <button type="submit" className="primary" disabled={props.disabled}>
        {props.saveLabel}
      </button>
      {props.onCancel ? (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      ) : null}
    </div>
  );
}
