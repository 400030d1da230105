/** Access: users, roles, keys, policy lint. Placeholder; the access/activity helper replaces it. */
export function AccessPage() {
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">Access</h1>
      <p>Users, roles, access keys and policy findings will appear here.</p>
    </section>
  );
}
