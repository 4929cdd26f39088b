// groupCommit: concurrent calls share batches once every slot is busy, and a bad item fails alone.
import { describe, expect, it } from "vitest";
import { groupCommit } from "@/lib/db/group-commit";

/** A write that records its batches and finishes only when told to. */
function recordingWrite(fail: (item: string) => boolean = () => false) {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const write = (items: string[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) =>
      finish.push(() => (items.some(fail) ? reject(new Error(`bad batch ${items.join(",")}`)) : resolve())),
    );
  };
  /** Finishes every write started so far, then lets the group commit start the next ones. */
  const flush = async () => {
    for (const done of finish.splice(0)) done();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { write, batches, flush };
}

describe("groupCommit", () => {
  it("writes a lone call at once and queues the rest while every slot is busy", async () => {
    const { write, batches, flush } = recordingWrite();
    const insert = groupCommit(write, { slots: 2, max: 64 });
    const settled: string[] = [];
    const calls = ["a", "b", "c", "d", "e"].map((item) => insert(item).then(() => settled.push(item)));
    expect(batches).toEqual([["a"], ["b"]]);
    await flush();
    expect(settled.sort()).toEqual(["a", "b"]);
    expect(batches).toEqual([["a"], ["b"], ["c", "d", "e"]]);
    await flush();
    await Promise.all(calls);
    expect(settled.sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("resolves no call before its own batch is written", async () => {
    const { write, flush } = recordingWrite();
    const insert = groupCommit(write, { slots: 1, max: 64 });
    let done = false;
    void insert("a");
    const second = insert("b").then(() => (done = true));
    await flush(); // "a" written; "b" now in flight
    expect(done).toBe(false);
    await flush();
    await second;
    expect(done).toBe(true);
  });

  it("caps a batch at `max` items", async () => {
    const { write, batches, flush } = recordingWrite();
    const insert = groupCommit(write, { slots: 1, max: 2 });
    const calls = ["a", "b", "c", "d", "e"].map((item) => insert(item));
    for (let i = 0; i < 4; i++) await flush();
    await Promise.all(calls);
    expect(batches).toEqual([["a"], ["b", "c"], ["d", "e"]]);
  });

  it("retries a failed batch item by item, so only the bad item fails", async () => {
    const { write, batches, flush } = recordingWrite((item) => item === "bad");
    const insert = groupCommit(write, { slots: 1, max: 64 });
    const outcomes = ["a", "b", "bad", "c"].map((item) => insert(item).then(() => "ok", (error: Error) => error.message));
    for (let i = 0; i < 4; i++) await flush();
    expect(await Promise.all(outcomes)).toEqual(["ok", "ok", "bad batch bad", "ok"]);
    expect(batches).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });
});
