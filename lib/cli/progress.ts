/** A one-line progress bar redrawn in place; does nothing when disabled. */
export interface Progress {
  update(label: string, done: number, total: number): void;
  /** Ends the bar's line, if one was drawn. */
  finish(): void;
}

const WIDTH = 30;
const REDRAW_MS = 100;

export function progressBar(enabled: boolean, stream: NodeJS.WritableStream = process.stderr): Progress {
  let drawnAt = 0;
  let drawnLength = 0;
  return {
    update(label, done, total) {
      // Redrawing on every page would cost more than the download on a fast server.
      if (!enabled || (Date.now() - drawnAt < REDRAW_MS && done < total)) return;
      drawnAt = Date.now();
      const filled = total > 0 ? Math.round(Math.min(done / total, 1) * WIDTH) : 0;
      const text = `${label.padEnd(12)}[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${done}/${Math.max(done, total)}`;
      stream.write(`\r${text.padEnd(drawnLength)}`);
      drawnLength = text.length;
    },
    finish() {
      if (drawnLength > 0) stream.write("\n");
      drawnLength = 0;
    },
  };
}
