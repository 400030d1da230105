/** Create a secret (filled in by the secrets pages step). */
export function CreateSecretPage() {
  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create secret</h1>
    </section>
  );
}
