/** Activity: request, error, denial and latency charts. Placeholder; the activity helper replaces it. */
export function ActivityPage() {
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity</h1>
      <p>Charts of requests, errors, denials and latency will appear here.</p>
    </section>
  );
}
