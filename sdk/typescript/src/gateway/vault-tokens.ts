import type { LedgixConfig } from "../config";
import type { TraceContext } from "../trace-context";
import { callVault, describeFailure } from "../transport";

export type ConsumeResult = { ok: true } | { ok: false; replayed: boolean; status: number; message: string };

/** The vault's token endpoints, as a gateway uses them. */
export class VaultTokens {
  constructor(
    private readonly config: LedgixConfig,
    private readonly consumer: string,
  ) {}

  /**
   * Marks the token used at the vault. One Idempotency-Key across retries, so a retry after
   * a lost answer gets the first answer back instead of "already consumed".
   */
  async consume(token: string, traceContext?: TraceContext): Promise<ConsumeResult> {
    const res = await callVault(this.config, {
      method: "POST",
      path: "/tokens/consume",
      body: { token, consumer: this.consumer },
      idempotent: true,
      traceContext,
    });
    if (res.status === 200) return { ok: true };
    const { code, message } = describeFailure(res);
    return { ok: false, replayed: code === "token_already_consumed", status: res.status, message };
  }

  /** Reports the upstream's status; failures are logged, never surfaced to the caller (the action already ran). */
  async reportExecution(jti: string, status: number, traceContext?: TraceContext): Promise<void> {
    try {
      const res = await callVault(this.config, { method: "POST", path: `/tokens/${encodeURIComponent(jti)}/execution`, body: { status }, traceContext });
      if (res.status !== 200) console.error(`ledgix-gateway: execution report for ${jti} failed: ${describeFailure(res).message}`);
    } catch (error) {
      console.error(`ledgix-gateway: execution report for ${jti} failed: ${(error as Error).message}`);
    }
  }
}
