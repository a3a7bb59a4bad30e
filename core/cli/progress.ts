/**
 * A one-line progress indicator for a TTY: a spinner with the elapsed time while a request is
 * in flight and, once byte counts are known, a bar for long downloads. It appears only after
 * `delay` ms so quick requests do not flicker, and erases itself before anything else prints.
 */
import { formatBytes, formatDuration } from './report.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string | Uint8Array): boolean;
}

/** `[=====>    ]  45%` for a fraction in 0..1. */
export function progressBar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  const head = filled > 0 && filled < width ? '>' : '';
  const body = '='.repeat(Math.max(0, filled - head.length)) + head;
  return `[${body.padEnd(width, ' ')}] ${String(Math.floor(f * 100)).padStart(3, ' ')}%`;
}

export class Progress {
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private readonly delay: number;
  private timer: NodeJS.Timeout | undefined;
  private label = '';
  private started = 0;
  private received = 0;
  private total: number | undefined;
  private frame = 0;
  private shown = false;

  constructor(stream: ProgressStream, options: { enabled?: boolean; delay?: number } = {}) {
    this.stream = stream;
    this.enabled = options.enabled ?? stream.isTTY === true;
    this.delay = options.delay ?? 400;
  }

  start(label: string): void {
    this.stop();
    if (!this.enabled) return;
    this.label = label;
    this.started = Date.now();
    this.received = 0;
    this.total = undefined;
    this.timer = setInterval(() => this.render(), 100);
    this.timer.unref();
  }

  /** Bytes of the response body so far, and the expected total when the server said it. */
  update(received: number, total?: number): void {
    this.received = received;
    this.total = total;
  }

  /** Erases the line (call before printing anything else) and stops updating. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  private render(): void {
    const elapsed = Date.now() - this.started;
    if (elapsed < this.delay) return;
    const spin = FRAMES[this.frame++ % FRAMES.length]!;
    // Numbers first: a narrow terminal cuts the end of the line, and that should be the URL.
    let line = `${spin} ${formatDuration(elapsed).padStart(7)}`;
    if (this.total && this.total > 0) line += `  ${progressBar(this.received / this.total)}  ${formatBytes(this.received)} / ${formatBytes(this.total)}`;
    else if (this.received > 0) line += `  ${formatBytes(this.received)}`;
    line += `  ${this.label}`;
    const width = (this.stream.columns ?? 80) - 1;
    if (line.length > width) line = line.slice(0, width - 1) + '…';
    this.stream.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }
}
