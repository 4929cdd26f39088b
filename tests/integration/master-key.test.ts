// A server started with another master key than the one its database was set up with cannot open
// its signing keys. It used to crash with a stack trace ("Unsupported state or unable to
// authenticate data"); it now exits 1 with one line naming the setting to fix.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { databaseEnv, startServer } from "../fixtures/server";

it("refuses to start with another master key, in one line that names LEDGIX_MASTER_KEY", async () => {
  const env = await databaseEnv();
  // The first start seals the signing keys with the data directory's development master key.
  await (await startServer(undefined, env)).stop();
  const failure = await startServer(undefined, { ...env, LEDGIX_MASTER_KEY: randomBytes(32).toString("base64") }).then(
    () => expect.unreachable("the server started"),
    (error: Error) => error.message,
  );
  expect(failure).toMatch(/^server exited with 1:/);
  expect(failure).toMatch(/^ledgix: this database's signing keys were sealed with another master key: start with the LEDGIX_MASTER_KEY/m);
  expect(failure).not.toMatch(/^\s+at /m);
});
