import { useEffect, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { useApi } from "../../hooks/use-api.js";
import type { SecretDescription } from "./secret-types.js";

interface Finding {
  CheckName?: string;
  ErrorMessage?: string;
}

const examplePolicy = (arn: string) =>
  JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:user/app" },
          Action: "secretsmanager:GetSecretValue",
          Resource: arn,
        },
      ],
    },
    null,
    2,
  );

/**
 * The resource policy: GetResourcePolicy, edit, ValidateResourcePolicy (findings listed), then
 * PutResourcePolicy (public policies blocked) or DeleteResourcePolicy.
 */
export function PolicyTab(props: { secret: SecretDescription }) {
  const arn = props.secret.ARN;
  const { data, error, reload } = useApi(
    (signal) =>
      callSecretsManager<{ ResourcePolicy?: string }>("GetResourcePolicy", { SecretId: arn }, { signal }),
    [arn],
  );
  const [text, setText] = useState("");
  const [findings, setFindings] = useState<Finding[] | undefined>(undefined);
  const [passed, setPassed] = useState<boolean | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [syntax, setSyntax] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const stored = data?.ResourcePolicy;

  useEffect(() => {
    if (data) setText(stored ? JSON.stringify(JSON.parse(stored), null, 2) : "");
  }, [data, stored]);

  const checkSyntax = (): boolean => {
    try {
      JSON.parse(text);
      setSyntax(undefined);
      return true;
    } catch (failure) {
      setSyntax(`Not valid JSON: ${failure instanceof Error ? failure.message : String(failure)}`);
      return false;
    }
  };

  const run = async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setActionError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(false);
    }
  };

  const validate = () =>
    checkSyntax() &&
    run(async () => {
      const reply = await callSecretsManager<{
        PolicyValidationPassed: boolean;
        ValidationErrors?: Finding[];
      }>("ValidateResourcePolicy", { SecretId: arn, ResourcePolicy: text });
      setPassed(reply.PolicyValidationPassed);
      setFindings(reply.ValidationErrors ?? []);
      return undefined;
    });

  const save = () =>
    checkSyntax() &&
    run(async () => {
      await callSecretsManager("PutResourcePolicy", {
        SecretId: arn,
        ResourcePolicy: text,
        BlockPublicPolicy: true,
      });
      reload();
      return "Policy saved.";
    });

  const remove = () =>
    run(async () => {
      await callSecretsManager("DeleteResourcePolicy", { SecretId: arn });
      setFindings(undefined);
      reload();
      return "Policy deleted.";
    });

  return (
    <div>
      <ErrorAlert error={error} context="Could not read the policy" />
      {data && !stored ? (
        <p>
          This secret has no resource policy: only identity policies grant access to it.{" "}
          <button type="button" className="link" onClick={() => setText(examplePolicy(arn))}>
            Start from an example
          </button>
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="policy-text">Resource policy (JSON)</label>
        <textarea
          id="policy-text"
          className="code"
          rows={16}
          value={text}
          spellCheck={false}
          onChange={(event) => {
            setText(event.target.value);
            setPassed(undefined);
            setFindings(undefined);
          }}
        />
      </div>
      {syntax ? (
        <p className="alert alert-error" role="alert">
          {syntax}
        </p>
      ) : null}
      <ErrorAlert error={actionError} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      <div aria-live="polite">
        {passed === true && findings?.length === 0 ? (
          <StatusMessage>Validation passed: no findings.</StatusMessage>
        ) : null}
        {findings && findings.length > 0 ? (
          <section className={passed ? "panel" : "panel alert-error"} aria-labelledby="findings-title">
            <h2 id="findings-title">
              {passed ? "Validation passed, with findings" : "Validation failed"} ({findings.length})
            </h2>
            <ul className="findings">
              {findings.map((finding, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: findings have no identity of their own
                <li key={index}>
                  <strong>{finding.CheckName ?? "Finding"}</strong>: {finding.ErrorMessage}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
      <div className="row actions">
        <button type="button" onClick={validate} disabled={busy || text.trim() === ""}>
          Validate
        </button>
        <button type="button" className="primary" onClick={save} disabled={busy || text.trim() === ""}>
          Save policy
        </button>
        {stored ? (
          <button type="button" className="danger" onClick={remove} disabled={busy}>
            Delete policy
          </button>
        ) : null}
      </div>
    </div>
  );
}
