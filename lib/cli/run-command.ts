import fs from "node:fs";
import http from "node:http";
import { z } from "zod";
import { adminSocketPath } from "@/lib/admin/socket-server";
import { executeCommand, type CommandName } from "@/lib/admin/commands";
import { ApiError, validationError, type ErrorDetail } from "@/lib/api/errors";
import { databaseConfig } from "@/lib/db";
import { openDatabase } from "@/lib/db/open";

/** A command's failure as the CLI reports it. */
export class CommandError extends Error {
  constructor(readonly code: string, message: string, readonly details?: ErrorDetail[]) {
    super(message);
  }
}

function viaSocket(socketPath: string, name: CommandName, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: `/commands/${name}`, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        if (res.statusCode === 200) resolve(body.result);
        else reject(new CommandError(body.error?.code ?? "internal_error", body.error?.message ?? `server answered ${res.statusCode}`, body.error?.details));
      });
    });
    req.on("error", reject).end(JSON.stringify(input));
  });
}

const socketGone = (error: unknown) => ["ECONNREFUSED", "ENOENT"].includes((error as NodeJS.ErrnoException).code ?? "");

/**
 * Runs an operator command against the configured database: through the running
 * server when it holds the embedded database, otherwise by opening the database here.
 */
export async function runCommand(name: CommandName, input: unknown): Promise<unknown> {
  const config = databaseConfig();
  if (config.kind === "embedded" && fs.existsSync(adminSocketPath(config.dataDir))) {
    try {
      return await viaSocket(adminSocketPath(config.dataDir), name, input);
    } catch (error) {
      if (!socketGone(error)) throw error;
    }
  }
  const db = await openDatabase(config);
  try {
    return await executeCommand(db.prisma, name, input);
  } catch (error) {
    if (error instanceof z.ZodError) throw asCommandError(validationError(error, "input"));
    throw error instanceof ApiError ? asCommandError(error) : error;
  } finally {
    await db.close();
  }
}

const asCommandError = (error: ApiError) => new CommandError(error.code, error.message, error.details);
