import type { ChangeEvent } from "../../domain/secrets/change-events.js";

/** Who holds a change-feed stream, as SigV4 established it. */
export interface ChangeFeedCaller {
  accessKeyId: string;
  principal: string;
  /** The region of the credential scope: only this region's secrets are sent. */
  region: string;
}

/**
 * Whether `caller` may learn about `event`. The contract: only secrets the caller could read with
 * GetSecretValue. Checked for every event sent, replayed ones included; a hook that throws counts
 * as "no".
 */
export type CanReadChange = (caller: ChangeFeedCaller, event: ChangeEvent) => boolean | Promise<boolean>;
