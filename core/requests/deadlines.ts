/**
 * Read timeouts for every request in flight on one timer.
 *
 * A timer per request costs a timer-list insertion and removal per request; here arming is a
 * field write (and an array slot for a holder not yet armed). The one timer waits for the earliest deadline it knows of and
 * is re-scheduled only when an earlier one appears; when it fires, each holder that has expired
 * is told so and the timer waits for the next deadline. Deadlines pushed later (by activity) or
 * dropped (by disarm) are found then, so each holder expires at its own deadline.
 */
export interface DeadlineHolder {
  /** When (performance.now() milliseconds) the holder expires; maintained by `Deadlines`. */
  deadline: number;
  /** The holder's place among the armed ones, -1 when disarmed; maintained by `Deadlines`. */
  slot: number;
  /** Called once when the deadline passes while armed. */
  expire(): void;
}

export class Deadlines {
  // An array with each holder's index in it: arming and disarming are a push and a pop.
  readonly #armed: DeadlineHolder[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires; Infinity when none is scheduled. */
  #firesAt = Infinity;

  /** (Re)starts `holder`'s clock: it expires `ms` from now unless armed again or disarmed first. */
  arm(holder: DeadlineHolder, ms: number): void {
    const deadline = performance.now() + ms;
    holder.deadline = deadline;
    if (holder.slot < 0) holder.slot = this.#armed.push(holder) - 1;
    if (deadline < this.#firesAt) this.#schedule(deadline);
  }

  /** Stops `holder`'s clock. The timer stays: one request after another would otherwise set a timer each. */
  disarm(holder: DeadlineHolder): void {
    const slot = holder.slot;
    if (slot < 0) return;
    holder.slot = -1;
    const last = this.#armed.pop()!;
    if (last !== holder) {
      this.#armed[slot] = last;
      last.slot = slot;
    }
  }

  #schedule(at: number): void {
    clearTimeout(this.#timer);
    this.#firesAt = at;
    // Unreferenced: a request in flight keeps the process alive by its socket, and an idle timer
    // left behind must not.
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - performance.now()))).unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#firesAt = Infinity;
    const now = performance.now();
    const expired = this.#armed.filter((holder) => holder.deadline <= now);
    for (const holder of expired) this.disarm(holder);
    let next = Infinity;
    for (const holder of this.#armed) if (holder.deadline < next) next = holder.deadline;
    if (next !== Infinity) this.#schedule(next);
    for (const holder of expired) holder.expire();
  }
}
