import { AccessLink, type AccessTab, useAccessSearch } from "./access-links.js";
import { LintFindings } from "./lint.js";
import { RoleDetail, RolesList } from "./roles.js";
import { UserDetail } from "./user-detail.js";
import { UsersList } from "./user-list.js";
import "./access.css";

const tabs: { tab: AccessTab; label: string }[] = [
  { tab: "users", label: "Users" },
  { tab: "roles", label: "Roles" },
  { tab: "lint", label: "Policy findings" },
];

/**
 * Access: users (keys, tags, inline policies), roles (trust policy, inline policies) and policy
 * lint findings. Sub-routes are `?user=NAME`, `?role=NAME` and `?tab=roles|lint`.
 */
export function AccessPage() {
  const search = useAccessSearch();
  const user = search.get("user");
  const role = search.get("role");
  const tabParam = search.get("tab");
  const tab: AccessTab =
    user !== null
      ? "users"
      : role !== null
        ? "roles"
        : tabParam === "roles" || tabParam === "lint"
          ? tabParam
          : "users";
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">Access</h1>
      <nav aria-label="Access sections">
        <ul className="tabs">
          {tabs.map((entry) => (
            <li key={entry.tab}>
              <AccessTabLink tab={entry.tab} current={tab === entry.tab} label={entry.label} />
            </li>
          ))}
        </ul>
      </nav>
      {user !== null ? (
        <UserDetail key={`user:${user}`} name={user} />
      ) : role !== null ? (
        <RoleDetail key={`role:${role}`} name={role} />
      ) : tab === "roles" ? (
        <RolesList />
      ) : tab === "lint" ? (
        <LintFindings />
      ) : (
        <UsersList />
      )}
    </section>
  );
}

function AccessTabLink(props: { tab: AccessTab; current: boolean; label: string }) {
  return (
    <AccessLink to={{ tab: props.tab }} current={props.current}>
      {props.label}
    </AccessLink>
  );
}
