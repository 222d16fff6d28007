/**
 * Group commit: writes that arrive while a commit is in flight wait and go together in the next
 * one, so a burst of small batches costs one transaction (and one fsync) instead of one each.
 * Every submitter learns the outcome of the commit that carried its items.
 */
export class GroupCommit<Item, Outcome> {
  #pending: { items: readonly Item[]; resolve: (outcome: Outcome) => void; reject: (error: unknown) => void }[] = [];
  #running = false;

  /** `commit` receives every waiting submission at once, and returns one outcome per submission. */
  constructor(private readonly commit: (submissions: readonly (readonly Item[])[]) => Promise<Outcome[]>) {}

  /** Resolves when no commit is running and none is waiting. */
  async idle(): Promise<void> {
    while (this.#running || this.#pending.length > 0) await (this.#drained ??= new Promise((resolve) => (this.#onDrained = resolve)));
  }

  #drained: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;

  submit(items: readonly Item[]): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ items, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Submissions waiting for a commit, not counting the one in flight. */
  get waiting(): number {
    return this.#pending.length;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#pending.length > 0) {
      const group = this.#pending;
      this.#pending = [];
      try {
        const outcomes = await this.commit(group.map((submission) => submission.items));
        group.forEach((submission, index) => submission.resolve(outcomes[index] as Outcome));
      } catch (error) {
        for (const submission of group) submission.reject(error);
      }
    }
    this.#running = false;
    const onDrained = this.#onDrained;
    this.#drained = undefined;
    this.#onDrained = undefined;
    onDrained?.();
  }
}
