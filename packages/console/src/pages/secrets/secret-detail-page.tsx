import { useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { Tabs } from "../../components/tabs.js";
import { useApi } from "../../hooks/use-api.js";
import { Link } from "../../router.js";
import { SecretAccessPanel } from "../access/secret-access-panel.js";
import { OverviewTab } from "./overview-tab.js";
import { PolicyTab } from "./policy-tab.js";
import { RecentAccess } from "./recent-access.js";
import { RotationTab } from "./rotation-tab.js";
import type { SecretDescription } from "./secret-types.js";
import { TagsTab } from "./tags-tab.js";
import { ValueTab } from "./value-tab.js";
import { VersionsTab } from "./versions-tab.js";

const tabs = [
  { id: "overview", label: "Overview" },
  { id: "value", label: "Value" },
  { id: "versions", label: "Versions" },
  { id: "tags", label: "Tags" },
  { id: "policy", label: "Resource policy" },
  { id: "rotation", label: "Rotation" },
  { id: "access", label: "Access" },
];

/** One secret: DescribeSecret, then a tab per concern. Every action is a signed, audited API call. */
export function SecretDetailPage(props: { name: string }) {
  const [tab, setTab] = useState("overview");
  const {
    data: secret,
    error,
    reload,
  } = useApi(
    (signal) => callSecretsManager<SecretDescription>("DescribeSecret", { SecretId: props.name }, { signal }),
    [props.name],
  );
  return (
    <section aria-labelledby="secret-title">
      <p>
        <Link to="/secrets">← Secrets</Link>
      </p>
      <h1 id="secret-title">{props.name}</h1>
      {secret?.DeletedDate !== undefined ? (
        <p className="alert alert-error" role="status">
          This secret is scheduled for deletion. Restore it from the Overview tab to use it again.
        </p>
      ) : null}
      <ErrorAlert error={error} context="Could not describe the secret" />
      {secret ? (
        <Tabs label="Secret" tabs={tabs} selected={tab} onSelect={setTab}>
          {tab === "overview" ? <OverviewTab secret={secret} onChanged={reload} /> : null}
          {tab === "value" ? <ValueTab secret={secret} onChanged={reload} /> : null}
          {tab === "versions" ? <VersionsTab secret={secret} onChanged={reload} /> : null}
          {tab === "tags" ? <TagsTab secret={secret} onChanged={reload} /> : null}
          {tab === "policy" ? <PolicyTab secret={secret} /> : null}
          {tab === "rotation" ? <RotationTab secret={secret} onChanged={reload} /> : null}
          {tab === "access" ? (
            <>
              <RecentAccess secret={secret} />
              <SecretAccessPanel secretArn={secret.ARN} secretName={secret.Name} />
            </>
          ) : null}
        </Tabs>
      ) : null}
    </section>
  );
}
