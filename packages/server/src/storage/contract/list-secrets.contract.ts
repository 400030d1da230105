/**
 * What every engine's `SecretStore.listSecrets` promises (domain/ports/secret-store.ts
 * SecretListQuery, ListMatch): each answer is checked against a reference written here from those
 * documents, in every sort order and direction, with and without planned deletions, in one page
 * and in keyset pages of 1 and 3.
 *
 * The port lets a store return a few secrets that fail a match (the domain checks the filters
 * again) where a text has no word or is empty; the data set here has no such text, so the answers
 * must be exact, and two engines cannot drift apart unnoticed.
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { searchWords } from "../../domain/ports/search-words.js";
import type { ListMatch, SecretListQuery, SecretStore, SortKey } from "../../domain/ports/secret-store.js";
import type { SecretRecord } from "../../domain/secrets/records.js";
import { type OpenHarness, withHarness } from "./engines.contract.js";
import { arnOf, create, otherRegion, region, secret, update, version } from "./records.contract.js";

const day = 86_400_000;

/** A varied set: ties in every sort value (broken by ARN), upper and lower case, words in names. */
function dataSet(): SecretRecord[] {
  const names = [
    "alpha",
    "Alpha/beta",
    "prod/db-Password",
    "prod/api",
    "zeta",
    "σίγμα",
    "b1",
    "b2",
    "prodShadow",
    "team_9x",
    "z-last",
    "0-first",
  ];
  return names.map((name, i) =>
    secret(name, {
      createdAt: 1_000 + (i % 3),
      lastChangedAt: 2_000 - (i % 5),
      lastAccessedAt: i % 4 === 0 ? undefined : (i % 3) * day,
      description: i % 2 === 0 ? `The credsDatabase#${i} for ${name}` : i % 3 === 0 ? "Ops owned" : undefined,
      tags: [
        { Key: i % 2 ? "env" : "Env", Value: i < 4 ? "prod" : "staging" },
        ...(i % 3 === 0 ? [{ Key: "team", Value: `Team${i}` }] : []),
        ...(i === 5 ? [{ Key: "Ωmega key", Value: "ΣΊΓΜΑ value" }] : []),
      ],
      // Planned deletion on three, so both listings differ.
      ...(i === 6 || i === 9 || i === 11 ? { deletedAt: 900, deletionDate: 5_000 + i } : {}),
    }),
  );
}

/** The same names in another region: never listed with the first. */
const elsewhere = () => [secret("alpha", {}, otherRegion), secret("prod/api", {}, otherRegion)];

const matchSets: ListMatch[][] = [
  [],
  [{ field: "name", prefixes: [""] }],
  [{ field: "name", prefixes: ["prod"] }],
  [{ field: "name", prefixes: ["prod/"] }],
  [{ field: "name", prefixes: ["a", "A", "σ"] }],
  [{ field: "name", prefixes: ["alpha"] }],
  [{ field: "name", prefixes: ["nothing"] }],
  [{ field: "tag-key", prefixes: ["env"] }],
  [{ field: "tag-key", prefixes: ["E"] }],
  [{ field: "tag-key", prefixes: ["Ω"] }],
  [{ field: "tag-value", prefixes: ["prod", "Team"] }],
  [{ field: "tag-value", prefixes: ["Team1"] }],
  [{ field: "tag-value", prefixes: [""] }],
  [{ field: "description", prefixes: ["database"] }],
  [{ field: "description", prefixes: ["creds", "ops"] }],
  [{ field: "description", prefixes: ["8"] }],
  [{ field: "description", prefixes: [""] }],
  [{ field: "any", prefixes: ["prod"] }],
  [{ field: "any", prefixes: ["team", "ops"] }],
  [{ field: "any", prefixes: ["σ"] }],
  [{ field: "any", prefixes: ["shadow"] }],
  [{ field: "any", prefixes: ["9"] }],
  [
    { field: "any", prefixes: ["prod"] },
    { field: "tag-value", prefixes: ["staging"] },
  ],
  [
    { field: "name", prefixes: ["prod", "b"] },
    { field: "tag-key", prefixes: ["team"] },
  ],
  [
    { field: "description", prefixes: ["the"] },
    { field: "name", prefixes: ["a", "z"] },
    { field: "tag-value", prefixes: ["staging", "prod"] },
  ],
];

const sorts: SortKey[] = ["created-date", "last-accessed-date", "last-changed-date", "name"];

/** A match as ListMatch documents it. */
function holds(match: ListMatch, s: SecretRecord): boolean {
  const starts = (text: string) => match.prefixes.some((prefix) => text.startsWith(prefix));
  const wordStarts = (text: string | undefined) => searchWords(text ?? "").some(starts);
  switch (match.field) {
    case "name":
      return starts(s.name);
    case "tag-key":
      return s.tags.some((tag) => starts(tag.Key));
    case "tag-value":
      return s.tags.some((tag) => starts(tag.Value));
    case "description":
      return wordStarts(s.description);
    case "any":
      return (
        wordStarts(s.name) ||
        wordStarts(s.description) ||
        s.tags.some((tag) => wordStarts(tag.Key) || wordStarts(tag.Value))
      );
  }
}

function sortValue(s: SecretRecord, sortBy: SortKey): string | number {
  switch (sortBy) {
    case "name":
      return s.name;
    case "created-date":
      return s.createdAt;
    case "last-changed-date":
      return s.lastChangedAt;
    case "last-accessed-date":
      return s.lastAccessedAt ?? 0;
  }
}

/** Code point order (the data set's texts are all in the BMP, where UTF-16 order is the same). */
const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The ARNs a query must answer, in order, before its limit and cursor. */
function reference(all: readonly SecretRecord[], query: Omit<SecretListQuery, "after" | "limit">): string[] {
  const sign = query.order === "asc" ? 1 : -1;
  return all
    .filter((s) => s.region === query.region)
    .filter((s) => query.includePlannedDeletion || s.deletionDate === undefined)
    .filter((s) => query.matches.every((match) => holds(match, s)))
    .sort(
      (a, b) =>
        sign * (compare(sortValue(a, query.sortBy), sortValue(b, query.sortBy)) || compare(a.arn, b.arn)),
    )
    .map((s) => s.arn);
}

/** Every page of `limit`, each continuing strictly after the last secret of the one before. */
async function allPages(
  store: SecretStore,
  query: Omit<SecretListQuery, "after" | "limit">,
  limit: number,
): Promise<string[]> {
  const arns: string[] = [];
  let after: SecretListQuery["after"];
  for (let page = 0; page < 100; page++) {
    const found = await store.listSecrets({ ...query, after, limit });
    assert.ok(found.length <= limit, "a page holds at most `limit` secrets");
    arns.push(...found.map((s) => s.arn));
    const last = found.at(-1);
    if (!last || found.length < limit) return arns;
    after = { sortValue: sortValue(last, query.sortBy), arn: last.arn };
  }
  throw new Error("the listing never ended");
}

async function load(store: SecretStore, secrets: readonly SecretRecord[]) {
  for (const [i, s] of secrets.entries())
    await store.commit(create(s, [version(`v-${i}`, ["AWSCURRENT"], 1_000 + i)]));
}

export function describeListSecretsContract(engine: string, open: OpenHarness): void {
  describe(`SecretStore.listSecrets contract: ${engine}`, () => {
    it("answers every match, sort order, direction and page as SecretListQuery documents", () =>
      withHarness(open, async ({ stores }) => {
        const store = stores.secrets;
        const all = [...dataSet(), ...elsewhere()];
        await load(store, all);
        let nonEmpty = 0;
        for (const matches of matchSets)
          for (const sortBy of sorts)
            for (const order of ["asc", "desc"] as const)
              for (const includePlannedDeletion of [false, true]) {
                const query = { region, matches, includePlannedDeletion, sortBy, order };
                const label = JSON.stringify(query);
                const expected = reference(all, query);
                if (expected.length > 0) nonEmpty++;
                const one = await store.listSecrets({ ...query, after: undefined, limit: 100 });
                assert.deepEqual(
                  one.map((s) => s.arn),
                  expected,
                  `${label} in one page`,
                );
                // The records listed are the records stored.
                for (const s of one) assert.deepEqual(s, all.find((e) => e.arn === s.arn) ?? {}, label);
                assert.deepEqual(await allPages(store, query, 3), expected, `${label}, 3 at a time`);
                if (sortBy === "name" || matches.length === 0)
                  assert.deepEqual(await allPages(store, query, 1), expected, `${label}, 1 at a time`);
              }
        assert.ok(nonEmpty > 200, "the reference found something for most queries");
      }));

    it("lists in the asked region only; a limit of zero lists nothing", () =>
      withHarness(open, async ({ stores }) => {
        const store = stores.secrets;
        await load(store, [...dataSet(), ...elsewhere()]);
        const query = {
          matches: [],
          includePlannedDeletion: true,
          sortBy: "name" as const,
          order: "asc" as const,
          after: undefined,
        };
        assert.deepEqual(
          (await store.listSecrets({ ...query, region: otherRegion, limit: 10 })).map((s) => s.arn),
          [arnOf("alpha", otherRegion), arnOf("prod/api", otherRegion)],
        );
        assert.deepEqual(await store.listSecrets({ ...query, region: "ap-south-2", limit: 10 }), []);
        assert.deepEqual(await store.listSecrets({ ...query, region, limit: 0 }), []);
      }));

    it("a cursor between stored values continues after it, whether or not a secret has it", () =>
      withHarness(open, async ({ stores }) => {
        const store = stores.secrets;
        const all = dataSet();
        await load(store, all);
        const base = { region, matches: [], includePlannedDeletion: true, limit: 100 };
        // A name no secret has, and the greatest ARN of a tie.
        const byName = await store.listSecrets({
          ...base,
          sortBy: "name",
          order: "asc",
          after: { sortValue: "b", arn: "" },
        });
        assert.deepEqual(
          byName.map((s) => s.name),
          ["b1", "b2", "prod/api", "prod/db-Password", "prodShadow", "team_9x", "z-last", "zeta", "σίγμα"],
        );
        const created = await store.listSecrets({
          ...base,
          sortBy: "created-date",
          order: "desc",
          after: { sortValue: 1_001, arn: "arn:~" },
        });
        assert.deepEqual(
          created.map((s) => s.arn),
          reference(all, { ...base, sortBy: "created-date", order: "desc" }).filter(
            (arn) => (all.find((s) => s.arn === arn)?.createdAt ?? 0) <= 1_001,
          ),
        );
      }));

    it("follows changes: new tags and descriptions match, old ones no longer do; a purge is gone", () =>
      withHarness(open, async ({ stores }) => {
        const store = stores.secrets;
        const s = secret("changing", {
          description: "First words",
          tags: [{ Key: "old-key", Value: "old value" }],
        });
        await store.commit(create(s));
        const names = async (match: ListMatch) =>
          (
            await store.listSecrets({
              region,
              matches: [match],
              includePlannedDeletion: false,
              sortBy: "name",
              order: "asc",
              after: undefined,
              limit: 10,
            })
          ).map((found) => found.name);
        assert.deepEqual(await names({ field: "tag-key", prefixes: ["old"] }), ["changing"]);
        assert.deepEqual(await names({ field: "any", prefixes: ["first"] }), ["changing"]);
        await store.commit(
          update(s, {
            secret: { description: "Second thoughts", tags: [{ Key: "new-key", Value: "new value" }] },
          }),
        );
        for (const gone of [
          { field: "tag-key", prefixes: ["old"] },
          { field: "tag-value", prefixes: ["old"] },
          { field: "description", prefixes: ["first"] },
          { field: "any", prefixes: ["first", "old"] },
        ] as ListMatch[])
          assert.deepEqual(await names(gone), [], JSON.stringify(gone));
        for (const now of [
          { field: "tag-key", prefixes: ["new"] },
          { field: "tag-value", prefixes: ["new v"] },
          { field: "description", prefixes: ["thought"] },
          { field: "any", prefixes: ["second"] },
          { field: "any", prefixes: ["value"] },
        ] as ListMatch[])
          assert.deepEqual(await names(now), ["changing"], JSON.stringify(now));
        // Tags removed altogether, then the secret purged.
        const current = await store.findRecordByArn(s.arn);
        assert.ok(current);
        await store.commit(update(current, { secret: { tags: [], description: undefined } }));
        assert.deepEqual(await names({ field: "any", prefixes: ["new", "second"] }), []);
        assert.deepEqual(await names({ field: "any", prefixes: ["changing"] }), ["changing"]);
        await store.purge(s.arn);
        assert.deepEqual(await names({ field: "name", prefixes: [""] }), []);
        assert.deepEqual(await names({ field: "any", prefixes: ["changing"] }), []);
      }));
  });
}
