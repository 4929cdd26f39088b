import { Option, type Command } from "commander";
import { runSync } from "@/sdk/typescript/src/ledger/steps";
import { nodeCrypto } from "@/sdk/typescript/src/ledger/node-crypto";
import { witnessKey } from "@/sdk/typescript/src/ledger/cosignatures";
import type { WitnessPolicy } from "@/sdk/typescript/src/ledger/verify";
import { CommandError } from "./run-command";

// `--witness <vkey>` (repeatable), `--min-witnesses N` and `--origin`, shared by `verify` and `verify-log`.

export interface WitnessOptions {
  witness?: string[];
  minWitnesses?: string;
  origin?: string;
}

/** Adds the options to a command. */
export function withWitnessOptions(command: Command): Command {
  return command
    .addOption(new Option("--witness <vkey>", "a witness you trust, as its C2SP verifier key; repeat for several")
      .argParser((vkey: string, previous: string[] = []) => [...previous, vkey]))
    .option("--min-witnesses <n>", "fail unless the checkpoint carries valid cosignatures by this many of them (default: all given)")
    .option("--origin <origin>", "the log's origin, <LEDGIX_LOG_ORIGIN>/<tenant id>, as your witnesses know it: the note must be of this log");
}

/** The policy the options ask for, or undefined when they ask for none. A malformed key is an input error. */
export function witnessPolicyOf({ witness = [], minWitnesses, origin }: WitnessOptions): WitnessPolicy | undefined {
  if (witness.length === 0 && minWitnesses === undefined && origin === undefined) return undefined;
  for (const vkey of witness) {
    try {
      runSync(witnessKey(vkey), nodeCrypto);
    } catch (error) {
      throw new CommandError("invalid_input", `--witness: ${(error as Error).message}`);
    }
  }
  const min = minWitnesses === undefined ? witness.length : Number(minWitnesses);
  if (!/^\d+$/.test(minWitnesses ?? "0") || !Number.isSafeInteger(min)) throw new CommandError("invalid_input", "--min-witnesses: not a whole number");
  return { witnesses: witness, min, ...(origin === undefined ? {} : { origin }) };
}
