import { z } from "zod";
import { executeCommand, type CommandName } from "@/lib/admin/commands";
import { ApiError, validationError, type ErrorDetail } from "@/lib/api/errors";
import { databaseConfig, type Database } from "@/lib/db";
import { openDatabase } from "@/lib/db/open";
import { unreachableDatabaseMessage } from "@/lib/db/unreachable";

/** A command's failure as the CLI reports it. */
export class CommandError extends Error {
  constructor(readonly code: string, message: string, readonly details?: ErrorDetail[]) {
    super(message);
  }
}

/**
 * Opens the configured database: DATABASE_URL, else the embedded server of the data
 * directory, which the CLI starts if it is stopped but never creates.
 */
export async function openForCli(): Promise<Database> {
  const config = databaseConfig({ create: false });
  try {
    return await openDatabase(config);
  } catch (error) {
    const message = config.kind === "postgres" ? unreachableDatabaseMessage(error, config.url) : undefined;
    throw message ? new CommandError("unavailable", message) : error;
  }
}

/** Runs an operator command against the configured database. */
export async function runCommand(name: CommandName, input: unknown): Promise<unknown> {
  const db = await openForCli();
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
