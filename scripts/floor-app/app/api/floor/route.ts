// POST /api/floor: the work no clearance vault can skip, done naively (README.md).
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import pg from "pg";

const { privateKey } = generateKeyPairSync("ed25519");
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

export async function POST(request: Request) {
  const text = await request.text();
  const body = JSON.parse(text) as { tool_name?: unknown };
  const hash = createHash("sha256").update(text).digest();
  const signature = sign(null, hash, privateKey);
  await pool.query("INSERT INTO floor_requests (body, hash, signature) VALUES ($1, $2, $3)", [text, hash, signature]);
  const receipt = sign(null, Buffer.concat([hash, signature]), privateKey);
  return Response.json({ status: "approved", tool_name: body.tool_name, receipt: receipt.toString("base64url") });
}
