/**
 * Who can read this secret, and through which statement (coffer WhoCanAccess). Placeholder,
 * rendered in the secret detail page; the access/activity helper replaces it.
 */
export function SecretAccessPanel(props: { secretArn: string; secretName: string }) {
  return (
    <section aria-labelledby="secret-access-title" data-secret-arn={props.secretArn}>
      <h2 id="secret-access-title">Who can access</h2>
      <p>Who can read {props.secretName}, and through which statement, will appear here.</p>
    </section>
  );
}
