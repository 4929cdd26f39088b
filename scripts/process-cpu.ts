// CPU time of a process tree from /proc (Linux), for the benchmarks' CPU per request: steadier
// than rates on a shared machine, and it says where the time goes.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import pg from "pg";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function childrenOf(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
}

/** Seconds of CPU that `pid` and its descendants used so far, the exited ones included (a parent's reaped children count in its cutime). */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const f = statFields(p);
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      childrenOf(p).forEach(visit);
    } catch {
      // exited meanwhile: its parent's cutime has it
    }
  };
  visit(pid);
  return ticks / TICKS_PER_SECOND;
}

/** The PostgreSQL server (postmaster) that `connection` reaches: the parent of its backend. */
export async function postmasterPid(connection: pg.ClientConfig): Promise<number> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return Number(statFields(rows[0]!.pid)[1]);
  } finally {
    await client.end();
  }
}
