/**
 * Child process for the kill -9 test: appends events without pause and prints
 * `committed <eventID>` for each one whose append has resolved, until it is killed.
 * Usage: node journal-kill-child.test-helper.js <data folder>
 */
import { AuditLog } from "../../audit/audit-log.js";
import { sampleEvent } from "../sqlite/audit/fixtures.test-helper.js";
import { JournaledAuditStore } from "./journaled-audit-store.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: journal-kill-child.test-helper.js <data folder>");
const log = new AuditLog(JournaledAuditStore.openForWriting(dir));
let n = 0;
const appendSome = () => {
  for (let i = 0; i < 25; i++) {
    const event = sampleEvent(n++);
    void log.append(event).then(() => process.stdout.write(`committed ${event.eventID}\n`));
  }
  setImmediate(appendSome);
};
appendSome();
