// The A-JWT vector (wire protocol §12.7): signJwt reproduces it byte for byte, and a
// standard verifier (jose) accepts it against the §12.1 public JWK.
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { errors, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { signJwt } from "@/lib/keys/sign-jwt";
import { loadVectors, privateKeyFromSeed } from "../ledger/vectors";

interface JwtVector {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  token: string;
}

const vectors = loadVectors() as ReturnType<typeof loadVectors> & { jwt: JwtVector };
const { header, claims, token } = vectors.jwt;
const privateKey = privateKeyFromSeed(vectors.key.seed);
const publicJwk = vectors.key.jwk;
const verifyOptions = { issuer: "alcv-vault", audience: "ledgix-sdk", algorithms: ["EdDSA"], currentDate: new Date("2026-06-01T00:00:00Z") };

/** The token with its claims segment re-encoded after `edit` changed the JSON text. */
function withClaimsText(original: string, edit: (json: string) => string): string {
  const [h, p, s] = original.split(".");
  const json = Buffer.from(p!, "base64url").toString("utf8");
  const edited = edit(json);
  expect(edited).not.toBe(json);
  return [h, Buffer.from(edited).toString("base64url"), s].join(".");
}

describe("A-JWT vector §12.7", () => {
  it("the seed yields the §12.1 public key", () => {
    const jwk = createPublicKey(privateKey).export({ format: "jwk" });
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", x: publicJwk.x });
  });

  it("signJwt reproduces the token byte for byte, keeping member order as given", () => {
    expect(signJwt(header, claims, privateKey)).toBe(token);
    // Deterministic: the same inputs give the same bytes again.
    expect(signJwt(header, claims, privateKey)).toBe(token);
  });

  it("the header and claims segments are the compact JSON in the given member order", () => {
    const [h, p] = signJwt(header, claims, privateKey).split(".");
    expect(Buffer.from(h!, "base64url").toString()).toBe('{"alg":"EdDSA","kid":"vault-test-2026-01","typ":"JWT"}');
    expect(Buffer.from(p!, "base64url").toString()).toBe(JSON.stringify(claims));
    expect(Buffer.from(p!, "base64url").toString()).toMatch(/^\{"iss":"alcv-vault","sub":"clearance","aud":\["ledgix-sdk","bylaw-sdk"\],"exp":/);
  });

  it("a different member order gives different bytes (order is not normalised)", () => {
    const { iss, ...rest } = claims;
    const issLast = { ...rest, iss };
    expect(Object.keys(issLast).at(-1)).toBe("iss");
    const signed = signJwt(header, issLast, privateKey);
    expect(signed).not.toBe(token);
    expect(Buffer.from(signed.split(".")[1]!, "base64url").toString()).toMatch(/"iss":"alcv-vault"\}$/);
  });

  it("jose jwtVerify accepts it with issuer alcv-vault and audience ledgix-sdk", async () => {
    const key = await importJWK(publicJwk, "EdDSA");
    const { payload, protectedHeader } = await jwtVerify(token, key, verifyOptions);
    expect(protectedHeader).toEqual(header);
    expect(payload).toEqual(claims);
    expect(payload.sub).toBe("clearance");
  });

  it("jose rejects it for another issuer or audience", async () => {
    const key = await importJWK(publicJwk, "EdDSA");
    await expect(jwtVerify(token, key, { ...verifyOptions, issuer: "someone-else" })).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
    await expect(jwtVerify(token, key, { ...verifyOptions, audience: "other-sdk" })).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
  });

  it("a token with one flipped claim byte fails verification", async () => {
    const key = await importJWK(publicJwk, "EdDSA");
    const tampered = withClaimsText(token, (json) => json.replace('"tool":"stripe_refund"', '"tool":"stripe_refunc"'));
    await expect(jwtVerify(tampered, key, verifyOptions)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);

    const raised = withClaimsText(token, (json) => json.replace("c4eb274a", "c4eb274b"));
    await expect(jwtVerify(raised, key, verifyOptions)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  it("a flipped bit in the raw claims bytes or the signature fails verification", async () => {
    const key = await importJWK(publicJwk, "EdDSA");
    const [h, p, s] = token.split(".");
    const claimBytes = Buffer.from(p!, "base64url");
    claimBytes[10]! ^= 0x01;
    await expect(jwtVerify([h, claimBytes.toString("base64url"), s].join("."), key, verifyOptions)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    const sig = Buffer.from(s!, "base64url");
    sig[0]! ^= 0x80;
    await expect(jwtVerify([h, p, sig.toString("base64url")].join("."), key, verifyOptions)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it("a token signed by another key fails against the §12.1 JWK", async () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const key = await importJWK(publicJwk, "EdDSA");
    await expect(jwtVerify(signJwt(header, claims, other), key, verifyOptions)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });
});
