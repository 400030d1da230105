import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { formatDate, formatFields, formatTable, toJson } from "../output.js";
import { type AdminContext, dateOf } from "./context.js";
import { readInputFile } from "./input-file.js";

interface Provider {
  Url: string;
  ClientIDList: string[];
  CreateDate: number;
  Tags: Array<{ Key: string; Value: string }>;
  KeySource: "JwksDocument" | "JwksUri" | "Discovery";
  JwksUri?: string;
  JwksDocument?: string;
}

interface KeysOptions {
  jwksFile?: string;
  jwksUrl?: string;
  discovery?: boolean;
}

/** The admin API's members for where keys come from; nothing when no option names a source. */
async function keysSource(options: KeysOptions): Promise<Record<string, unknown>> {
  const given = [options.jwksFile, options.jwksUrl, options.discovery ? true : undefined].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new UsageError("give one source for the provider's keys: --jwks-file, --jwks-url or --discovery");
  }
  if (options.jwksFile !== undefined) {
    return { JwksDocument: await readInputFile(options.jwksFile, "the JWKS file") };
  }
  if (options.jwksUrl !== undefined) return { JwksUri: options.jwksUrl };
  if (options.discovery) return { UseDiscovery: true };
  return {};
}

function keysText(provider: Pick<Provider, "KeySource" | "JwksUri" | "JwksDocument">): string {
  switch (provider.KeySource) {
    case "JwksDocument": {
      const count = keyCount(provider.JwksDocument);
      return count === undefined
        ? "stored JWKS document"
        : `stored JWKS document (${count} key${count === 1 ? "" : "s"})`;
    }
    case "JwksUri":
      return `fetched from ${provider.JwksUri}`;
    default:
      return "fetched through the issuer's discovery document";
  }
}

function keyCount(document: string | undefined): number | undefined {
  if (document === undefined) return undefined;
  try {
    const keys = (JSON.parse(document) as { keys?: unknown }).keys;
    return Array.isArray(keys) ? keys.length : undefined;
  } catch {
    return undefined;
  }
}

/** The issuer without its scheme and trailing slash: trust policies' condition-key prefix. */
function keyPrefix(issuer: string): string {
  return issuer.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
}

/**
 * The provider's ARN, given its ARN or its issuer URL (looked up among the providers): the issuer
 * exactly as stored, else the one provider whose issuer differs only by `https://` or a trailing
 * slash (IAM tells `https://x/` and `https://x` apart, so both may exist).
 */
async function providerArn(context: AdminContext, arnOrIssuer: string): Promise<string> {
  if (arnOrIssuer.startsWith("arn:")) return arnOrIssuer;
  const { OpenIDConnectProviderList } = (await context.admin("ListOpenIDConnectProviders", {})) as {
    OpenIDConnectProviderList: Array<{ Arn: string; Url: string }>;
  };
  const exact = OpenIDConnectProviderList.find((p) => p.Url === arnOrIssuer);
  if (exact) return exact.Arn;
  const close = OpenIDConnectProviderList.filter((p) => keyPrefix(p.Url) === keyPrefix(arnOrIssuer));
  if (close.length > 1) {
    throw new UsageError(
      `several OIDC providers have an issuer like ${arnOrIssuer} (${close.map((p) => p.Url).join(", ")}); give the ARN`,
    );
  }
  const [found] = close;
  if (!found) {
    throw new CliError(
      `no OIDC provider has the issuer ${arnOrIssuer}; see coffer admin oidc-provider list`,
      ExitCode.NotFound,
    );
  }
  return found.Arn;
}

export async function runProviderAdd(
  context: AdminContext,
  options: KeysOptions & { issuer: string; audience: string[] },
) {
  const keys = await keysSource(options);
  const { OpenIDConnectProviderArn } = (await context.admin("CreateOpenIDConnectProvider", {
    Url: options.issuer,
    ClientIDList: options.audience,
    ...keys,
  })) as { OpenIDConnectProviderArn: string };
  const source = keysText({
    KeySource: "JwksDocument" in keys ? "JwksDocument" : "JwksUri" in keys ? "JwksUri" : "Discovery",
    ...(typeof keys.JwksUri === "string" ? { JwksUri: keys.JwksUri } : {}),
    ...(typeof keys.JwksDocument === "string" ? { JwksDocument: keys.JwksDocument } : {}),
  });
  context.stderr.write(
    `Added OIDC provider ${options.issuer} (${OpenIDConnectProviderArn}), accepting tokens for ${options.audience.join(", ")}; keys ${source}. A role lets its tokens in with a trust policy naming it as "Federated" and pinning "${keyPrefix(options.issuer)}:sub".\n`,
  );
  context.stdout.write(formatFields([["ARN", OpenIDConnectProviderArn]]));
}

export async function runProviderList(context: AdminContext, options: { json?: boolean }) {
  const { OpenIDConnectProviderList } = (await context.admin("ListOpenIDConnectProviders", {})) as {
    OpenIDConnectProviderList: Array<Provider & { Arn: string }>;
  };
  if (options.json) {
    context.stdout.write(toJson(OpenIDConnectProviderList));
    return;
  }
  context.stdout.write(
    formatTable(
      ["Issuer", "ARN", "Audiences", "Keys", "Created"],
      OpenIDConnectProviderList.map((p) => [
        p.Url,
        p.Arn,
        p.ClientIDList.join(","),
        p.KeySource === "JwksDocument"
          ? "stored JWKS"
          : p.KeySource === "JwksUri"
            ? (p.JwksUri ?? "")
            : "discovery",
        formatDate(dateOf(p.CreateDate)),
      ]),
    ),
  );
}

export async function runProviderGet(
  context: AdminContext,
  arnOrIssuer: string,
  options: { json?: boolean },
) {
  const arn = await providerArn(context, arnOrIssuer);
  const provider = (await context.admin("GetOpenIDConnectProvider", {
    OpenIDConnectProviderArn: arn,
  })) as unknown as Provider;
  if (options.json) {
    context.stdout.write(toJson({ ...provider, OpenIDConnectProviderArn: arn }));
    return;
  }
  context.stdout.write(
    formatFields([
      ["Issuer", provider.Url],
      ["ARN", arn],
      ["Audiences", provider.ClientIDList.join(", ")],
      ["Keys", keysText(provider)],
      ["Created", formatDate(dateOf(provider.CreateDate))],
      ["Tags", provider.Tags.map((t) => `${t.Key}=${t.Value}`).join(",") || "-"],
    ]),
  );
}

export async function runProviderUpdate(
  context: AdminContext,
  arnOrIssuer: string,
  options: KeysOptions & { audience?: string[] },
) {
  const keys = await keysSource(options);
  if (options.audience === undefined && Object.keys(keys).length === 0) {
    throw new UsageError("nothing to update: give --audience, --jwks-file, --jwks-url or --discovery");
  }
  const arn = await providerArn(context, arnOrIssuer);
  await context.admin("UpdateOpenIDConnectProvider", {
    OpenIDConnectProviderArn: arn,
    ClientIDList: options.audience,
    ...keys,
  });
  const changed = [
    ...(options.audience !== undefined ? [`audiences ${options.audience.join(", ")}`] : []),
    ...(Object.keys(keys).length > 0 ? ["where its keys come from"] : []),
  ];
  context.stderr.write(`Updated OIDC provider ${arn}: ${changed.join("; ")}.\n`);
}

export async function runProviderRemove(context: AdminContext, arnOrIssuer: string) {
  const arn = await providerArn(context, arnOrIssuer);
  await context.admin("DeleteOpenIDConnectProvider", { OpenIDConnectProviderArn: arn });
  context.stderr.write(
    `Removed OIDC provider ${arn}. Its tokens get no new sessions; sessions already issued run until they expire.\n`,
  );
}
