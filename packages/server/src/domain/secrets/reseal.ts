import type { Envelope } from "../../crypto/envelope.js";
import { DecryptionFailure } from "../../errors/catalog.js";
import type { SecretStore, SettingsStore } from "../ports/secret-store.js";
import { parseSecretId } from "./arn.js";
import { sealSecret, sealSecretOverMap, verifySecret } from "./binding.js";
import type { SealedSecretValue } from "./records.js";
import { openLegacyValue, openValue, sealValue } from "./secret-value.js";
import { CURRENT } from "./stages.js";

/** Set by schema migration 3 (ADR 0006); cleared once the rows from before it are re-sealed. */
export const RESEAL_PENDING_SETTING = "reseal-legacy-rows";
const pageSize = 200;

export interface ResealDeps {
  store: SecretStore;
  /** Where the one-time "re-seal pending" flag lives. */
  settings: SettingsStore;
  envelope: Envelope;
}

/**
 * Once, at the first start after the upgrade to ADR 0006: seals every secret that has no seal yet,
 * re-encrypting its values under the AAD that binds the kind. A secret is refused (left unsealed,
 * so every value read fails closed) when its name does not match its ARN, or when any of its values
 * already opens under the new AAD, which only a row sealed after the upgrade can: stripping the
 * seal off a current row must not get its edited metadata re-sealed. A value that opens under
 * neither AAD is left as it is and keeps failing closed.
 */
export async function resealLegacySecrets(deps: ResealDeps): Promise<{ resealed: number; refused: number }> {
  const counts = { resealed: 0, refused: 0 };
  if ((await deps.settings.getSetting(RESEAL_PENDING_SETTING)) === undefined) return counts;
  for await (const { arn, seal } of allSeals(deps.store)) {
    if (seal !== undefined) continue;
    if (await resealOne(deps, arn)) counts.resealed++;
    else counts.refused++;
  }
  await deps.settings.deleteSetting(RESEAL_PENDING_SETTING);
  return counts;
}

async function resealOne({ store, envelope }: ResealDeps, arn: string): Promise<boolean> {
  const state = await store.findByArn(arn);
  if (!state || state.secret.seal !== undefined || !matchesArn(state.secret)) return false;
  const values: Array<{ versionId: string; value: SealedSecretValue }> = [];
  for (const meta of state.versions) {
    const version = await store.readVersion(arn, { versionId: meta.versionId });
    if (!version) return false;
    if (opens(() => openValue(envelope, arn, meta.versionId, version.value))) return false;
    let plaintext: ReturnType<typeof openLegacyValue>;
    try {
      plaintext = openLegacyValue(envelope, arn, meta.versionId, version.value);
    } catch (error) {
      if (error instanceof DecryptionFailure) continue;
      throw error;
    }
    values.push({ versionId: meta.versionId, value: sealValue(envelope, arn, meta.versionId, plaintext) });
  }
  const sealed = sealSecret(envelope, state.secret, state.versions);
  if (sealed.seal === undefined) return false;
  return store.reseal({
    arn,
    expectedRevision: state.secret.revision,
    expectedSeal: undefined,
    seal: sealed.seal,
    values,
  });
}

/**
 * Key rotation: re-seals every secret whose seal is under another key than `activeKekId`, after
 * checking the old seal, so a row edited in the database is never laundered into a valid one.
 */
export async function resealUnderActiveKey(
  deps: ResealDeps,
  activeKekId: string,
): Promise<{ resealed: number; unverifiable: number }> {
  const counts = { resealed: 0, unverifiable: 0 };
  for await (const { arn, seal } of allSeals(deps.store)) {
    if (seal === undefined || seal.kekId === activeKekId) {
      if (seal === undefined) counts.unverifiable++;
      continue;
    }
    const snapshot = await deps.store.readSnapshot(arn, { stage: CURRENT });
    if (!snapshot) continue;
    try {
      verifySecret(deps.envelope, snapshot.secret, snapshot.stages);
    } catch (error) {
      if (!(error instanceof DecryptionFailure)) throw error;
      counts.unverifiable++;
      continue;
    }
    const resealed = sealSecretOverMap(deps.envelope, snapshot.secret, snapshot.stages).seal;
    if (resealed === undefined) continue;
    // A concurrent write seals the row itself (under the active key, once the server noticed it).
    const replaced = await deps.store.reseal({
      arn,
      expectedRevision: snapshot.secret.revision,
      expectedSeal: seal,
      seal: resealed,
      values: [],
    });
    if (replaced) counts.resealed++;
  }
  return counts;
}

async function* allSeals(store: SecretStore) {
  let after: string | undefined;
  for (;;) {
    const page = await store.listSeals(after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)?.arn;
  }
}

/** ARNs are `…:secret:<name>-<6 characters>` (SecretWriter.create). */
function matchesArn({ arn, name, region }: { arn: string; name: string; region: string }): boolean {
  const id = parseSecretId(arn);
  return (
    id.kind === "arn" &&
    id.region === region &&
    id.resource.length === name.length + 7 &&
    id.resource.startsWith(`${name}-`)
  );
}

function opens(open: () => unknown): boolean {
  try {
    open();
    return true;
  } catch {
    return false;
  }
}
