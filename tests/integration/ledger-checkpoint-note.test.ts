import { createPublicKey, type JsonWebKey } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { noteKeyHash, noteVerifierKey, openNote, parseCheckpointNoteBody } from "@/lib/ledger/signed-note";
import { publicKeyFromJwk } from "@/sdk/typescript/src/ledger/verify";
import { cliOk } from "../fixtures/cli";
import { waitForTreeSize } from "../fixtures/ledger";
import { createTenant, refund } from "../fixtures/tenant";

describe.each(inject("servers"))("the C2SP checkpoint on the $kind database", (server) => {
  it("serves the latest checkpoint as a signed note once there is one", async () => {
    const tenant = await createTenant(server);
    const none = await tenant.call("/api/ledger/checkpoint");
    expect(none.status).toBe(409);
    expect((await none.json()).error.code).toBe("not_yet_integrated");

    for (const amount of [10, 20]) await tenant.post("/api/clearance", refund(amount));
    const latest = await waitForTreeSize(tenant, 2);
    const res = await tenant.call("/api/ledger/checkpoint");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const note = await res.text();

    const origin = `ledgix.local/${tenant.id}`;
    const signature = note.split("\n").at(-2)!;
    expect(signature).toMatch(new RegExp(`^\u2014 ${origin} [A-Za-z0-9+/]{91}=$`));
    // The key hash in the signature line picks the ledger key out of the JWKS.
    const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const keyHash = Buffer.from(signature.split(" ")[2]!, "base64").subarray(0, 4);
    const signer = keys.map((jwk) => publicKeyFromJwk(jwk)).find((key) => noteKeyHash(origin, key).equals(keyHash));
    expect(signer, "no JWKS key matches the note's key hash").toBeDefined();
    // The JWKS says which keys sign the ledger and which sign tokens.
    const purposes = new Map(keys.map((jwk) => [noteKeyHash(origin, publicKeyFromJwk(jwk)).toString("hex"), jwk]));
    expect(purposes.get(keyHash.toString("hex"))).toMatchObject({ use: "sig", ledgix_purpose: "ledger" });
    expect(keys.some((jwk) => (jwk as { ledgix_purpose?: string }).ledgix_purpose === "token")).toBe(true);
    expect(parseCheckpointNoteBody(openNote(note, origin, signer!))).toEqual({ origin, treeSize: 2, rootHash: latest.root_hash });

    // The served verifier key opens the note, and is the one the CLI prints.
    const verifierKey = await tenant.call("/api/ledger/checkpoint/verifier-key");
    expect(verifierKey.status).toBe(200);
    expect(verifierKey.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const served = (await verifierKey.text()).trimEnd();
    expect(served).toBe(noteVerifierKey(origin, signer!));
    // name+hash+base64: the base64 key may itself contain "+".
    const [name, hash] = served.split("+", 2) as [string, string];
    const typed = served.slice(name.length + hash.length + 2);
    expect([name, hash]).toEqual([origin, keyHash.toString("hex")]);
    expect(openNote(note, origin, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(typed, "base64").subarray(1).toString("base64url") }, format: "jwk" })))
      .toBe(note.slice(0, note.lastIndexOf("\n\n") + 1));
    expect(await cliOk(["ledger", "verifier-key", "--tenant", tenant.name], server.env)).toBe(served);

    const post = await tenant.call("/api/ledger/checkpoint", { method: "POST" });
    expect(post.status).toBe(405);
    expect((await tenant.call("/api/ledger/checkpoint", { headers: { "X-Vault-API-Key": "lgx_wrong" } })).status).toBe(401);
  });
});
