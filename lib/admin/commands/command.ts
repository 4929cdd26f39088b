import { z } from "zod";
import type { PrismaClient } from "@/lib/db";

/** An operator command: its input's schema, and what it does with the parsed input. */
export const command = <S extends z.ZodType, R>(input: S, run: (prisma: PrismaClient, input: z.output<S>) => Promise<R>) => ({ input, run });

export type Command = ReturnType<typeof command<z.ZodType, unknown>>;

export const tenantRef = z.string().min(1).max(100);
export const onOff = z.enum(["on", "off"]).optional().transform((v) => (v === undefined ? undefined : v === "on"));
