import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { z } from "zod";
import { ApiError, validationError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { executeCommand, isCommandName } from "./commands";

export const adminSocketPath = (dataDir: string) => path.join(dataDir, "admin.sock");

/**
 * While the server holds the embedded database, the CLI reaches it through this Unix
 * socket in the data directory. File permissions (0600) are the authentication: it is
 * not reachable over the network.
 */
export async function startAdminSocket(dataDir: string, prisma: PrismaClient): Promise<http.Server> {
  const socketPath = adminSocketPath(dataDir);
  // We hold the data directory lock, so a socket file left behind is stale.
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    try {
      const name = decodeURIComponent(new URL(req.url ?? "/", "http://admin").pathname.replace(/^\/commands\//, ""));
      if (req.method !== "POST" || !isCommandName(name)) throw new ApiError("not_found", `No admin command ${name}.`);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      reply(200, { result: await executeCommand(prisma, name, JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")) });
    } catch (error) {
      const apiError = error instanceof z.ZodError ? validationError(error, "command input") : error;
      if (apiError instanceof ApiError) return reply(apiError.status, apiError.toBody());
      console.error("ledgix: admin command failed", error);
      reply(500, { error: { code: "internal_error", message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socketPath, resolve));
  fs.chmodSync(socketPath, 0o600);
  return server;
}
