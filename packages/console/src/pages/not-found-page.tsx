import { Link } from "../router.js";

export function NotFoundPage() {
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        There is no such page. Go to <Link to="/secrets">Secrets</Link>.
      </p>
    </section>
  );
}
