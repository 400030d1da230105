/** An AWS timestamp (epoch seconds) as `2026-12-05 07:42 UTC`; "—" when absent. */
export function formatDate(epochSeconds: number | undefined | null): string {
  if (epochSeconds === undefined || epochSeconds === null) return "—";
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A day (last-accessed dates are days) as `2026-12-05`. */
export function formatDay(epochSeconds: number | undefined | null): string {
  if (epochSeconds === undefined || epochSeconds === null) return "never";
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** An ISO instant (an audit event's time) as `2026-12-05 07:42:13 UTC`. */
export function formatInstant(iso: string | undefined): string {
  if (!iso) return "—";
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) return iso;
  const text = parsed.toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}
