/** A Studio address that names no page. */
export function NotFoundPage() {
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        Studio has no page at this address. <a href="/studio/agents">Go to your agents</a>.
      </p>
    </section>
  );
}
