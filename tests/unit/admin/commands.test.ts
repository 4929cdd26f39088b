// The operator commands load by group (lib/admin/commands.ts); a name outside every group is an
// error that says so, whatever object property its parts happen to spell.
import { describe, expect, it } from "vitest";
import { executeCommand, type CommandName } from "@/lib/admin/commands";
import type { PrismaClient } from "@/lib/db";

// Unknown names fail before any query: no database is opened.
const noDatabase = {} as PrismaClient;

describe("executeCommand", () => {
  it.each(["tenant.rename", "toString.call", "constructor", "tenant.constructor", ""])("refuses the unknown command %j", async (name) => {
    await expect(executeCommand(noDatabase, name as CommandName, {})).rejects.toThrow(`No operator command ${JSON.stringify(name)}`);
  });

  it("validates a known command's input before it runs", async () => {
    await expect(executeCommand(noDatabase, "tenant.create", { name: "" })).rejects.toThrow(/too_small|at least/i);
  });
});
