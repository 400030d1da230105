/**
 * Child process for the kill -9 test: appends events without pause and prints
 * `committed <eventID>` for each one whose append has resolved, until it is killed.
 * Usage: node kill-child.test-helper.js <data folder> [sqlite|journal]
 */
import { AuditLog } from "../../../audit/audit-log.js";
import { JournaledAuditStore } from "../../file/journaled-audit-store.js";
import { sampleEvent } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: kill-child.test-helper.js <data folder>");
const log = new AuditLog(
  process.argv[3] === "journal"
    ? JournaledAuditStore.openForWriting(dir)
    : SqliteAuditStore.inDataFolder(dir),
);
let n = 0;
const appendSome = () => {
  for (let i = 0; i < 25; i++) {
    const event = sampleEvent(n++);
    void log.append(event).then(() => process.stdout.write(`committed ${event.eventID}\n`));
  }
  setImmediate(appendSome);
};
appendSome();
