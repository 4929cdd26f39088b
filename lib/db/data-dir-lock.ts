import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The embedded database is single-process: two processes opening its directory
 * would corrupt it. The lock file holds the owner's pid; a lock whose owner is
 * gone (a crash) is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The embedded database in ${dataDir} is in use by process ${pid}.`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;
const aside = (lockFile: string) => `${lockFile}.${process.pid}.${randomBytes(4).toString("hex")}`;

/** Creates the lock file atomically and never empty: written aside, then linked into place. */
function tryCreate(lockFile: string): boolean {
  const temp = aside(lockFile);
  fs.writeFileSync(temp, String(process.pid));
  try {
    fs.linkSync(temp, lockFile);
    return true;
  } catch (error) {
    if (code(error) !== "EEXIST") throw error;
    return false;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Removes a lock we found stale. Another process may have replaced it since we read
 * it, so the file is first moved aside (atomic) and checked again: a live owner's
 * lock is put back and we are refused.
 */
function removeStale(dataDir: string, lockFile: string): void {
  const moved = aside(lockFile);
  try {
    fs.renameSync(lockFile, moved);
  } catch (error) {
    if (code(error) === "ENOENT") return;
    throw error;
  }
  const owner = Number(fs.readFileSync(/*turbopackIgnore: true*/ moved, "utf8"));
  try {
    if (owner && isAlive(owner)) {
      try {
        fs.linkSync(moved, lockFile);
      } catch (error) {
        if (code(error) !== "EEXIST") throw error;
      }
      throw new DataDirLockedError(dataDir, owner);
    }
  } finally {
    fs.rmSync(moved, { force: true });
  }
}

export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dataDir, "lock");
  while (!tryCreate(lockFile)) {
    let owner: number;
    try {
      owner = Number(fs.readFileSync(/*turbopackIgnore: true*/ lockFile, "utf8"));
    } catch (error) {
      if (code(error) === "ENOENT") continue;
      throw error;
    }
    // Our own pid counts as taken: one process must not open the directory twice either.
    if (owner && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
    removeStale(dataDir, lockFile);
  }
  return () => fs.rmSync(lockFile, { force: true });
}
