import type { ChangeEvent } from "../../domain/secrets/change-events.js";

/** The JSON of one `secret-changed` event, as the contract (docs/design/client-api.md) spells it. */
export interface WireChangeEvent {
  ARN: string;
  Name: string;
  Region: string;
  /** The version holding AWSCURRENT after the change; absent after a delete or purge. */
  VersionId?: string;
  Operation: string;
  /** Epoch seconds with milliseconds, like the dates of the JSON API. */
  EventTime: number;
}

/** Lists each field explicitly, so nothing but metadata can ever reach the wire. */
export function toWireChangeEvent(event: ChangeEvent): WireChangeEvent {
  return {
    ARN: event.arn,
    Name: event.name,
    Region: event.region,
    ...(event.versionId !== undefined ? { VersionId: event.versionId } : {}),
    Operation: event.operation,
    EventTime: event.eventTime / 1000,
  };
}

/**
 * `id:`, `event:`, `data:` and the blank line that ends an event. JSON.stringify escapes line
 * breaks, so the data is always one line.
 */
export function secretChangedFrame(event: ChangeEvent): string {
  return `id: ${event.id}\nevent: secret-changed\ndata: ${JSON.stringify(toWireChangeEvent(event))}\n\n`;
}

/**
 * The subscriber's resume point is lost: it must invalidate everything. Carries the newest id so
 * that a reconnect after the reset resumes from here instead of resetting again.
 */
export function resetFrame(lastId: number): string {
  return `id: ${lastId}\nevent: reset\ndata: {}\n\n`;
}

/** A comment line: keeps proxies and idle timers from closing a quiet stream. */
export const pingFrame = ": ping\n\n";
