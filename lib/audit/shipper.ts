import type pg from "pg";
import { execute, type PrismaClient } from "@/lib/db";
import { listen } from "@/lib/db/listen";
import { deliveryJob } from "./deliver";
import type { SinkName } from "./sinks/sink";

const APPENDED_CHANNEL = "ledgix_audit_appended";
/** Safety sweep: asks for deliveries this often even when no notification arrives. */
const SWEEP_MS = 10_000;

/**
 * Asks the job queue to deliver to each configured sink whenever audit events are appended
 * (the migration's trigger NOTIFYs at commit), on (re)connecting, and every SWEEP_MS. The
 * jobs do the shipping (deliver.ts); asking again while one is pending changes nothing.
 * Returns the function that stops it.
 */
export function startAuditShipper(prisma: PrismaClient, connection: pg.ClientConfig, sinks: SinkName[]): () => Promise<void> {
  let asking: Promise<void> | undefined;
  let again = false;
  const ask = () => {
    if (asking) {
      again = true;
      return;
    }
    asking = Promise.all(sinks.map((sink) => execute(prisma, deliveryJob(sink))))
      .then(() => undefined, (error: Error) => console.error("ledgix: could not queue audit deliveries:", error.message))
      .finally(() => {
        asking = undefined;
        if (again) {
          again = false;
          ask();
        }
      });
  };
  const stopListening = listen(connection, APPENDED_CHANNEL, { onNotify: ask, onListening: ask }, SWEEP_MS);
  const sweep = setInterval(ask, SWEEP_MS);
  return async () => {
    clearInterval(sweep);
    await stopListening();
    await asking;
  };
}
