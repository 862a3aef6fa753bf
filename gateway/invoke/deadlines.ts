// The deadlines of invocation attempts, kept by the gateway with one Node timer for all of them. A setTimeout per
// attempt cost the gateway ~0.7 us per request (a Timeout object with its async id, a read of libuv's clock, the
// timer list's insert and removal: docs/gateway-performance.md "Eleventh round"). Here an attempt joins the list
// of its duration, which keeps deadline order because entries join at the end, and leaves it when it ends; one
// timer waits for the earliest entry. Nothing is allocated per attempt.

/** What a Deadlines list holds: the object whose attempt can expire extends this. */
export abstract class Expiring {
  /** performance.now() at which it expires, while it is on a list */
  expiresAt = 0;
  /** its place in its list's ring, counted from the list's start */
  expiringSlot = 0;
  expiringList: DeadlineList | undefined = undefined;

  /** Called once, when its deadline passes while it is still on a list (it has been taken off by then). */
  abstract expire(): void;
}

/** Lists of other durations kept while empty, beyond which empty ones are dropped when another is made. */
const KEPT_EMPTY_LISTS = 16;

/** Where slot numbers start over: V8's small integers go to 2^31 - 1, larger ones are boxed. */
export const REBASE_AT = 2 ** 30;

/**
 * The entries of one duration in the order they joined, which is deadline order: a ring of slots, emptied where
 * an entry left early. Leaving touches only the entry's own slot (the ring's slots for recent entries share a
 * few cache lines), not neighbouring entries as a linked list would.
 */
class DeadlineList {
  slots: (Expiring | undefined)[] = new Array<Expiring | undefined>(64).fill(undefined);
  /** the first slot that may hold an entry, and one past the last */
  head = 0;
  tail = 0;
  constructor(
    readonly durationMs: number,
    private readonly rebaseAt: number,
  ) {}

  get empty(): boolean {
    return this.head === this.tail;
  }

  /** The entry in the first occupied slot, or undefined. */
  first(): Expiring | undefined {
    return this.empty ? undefined : this.slots[this.head % this.slots.length];
  }

  push(entry: Expiring): void {
    if (this.tail - this.head === this.slots.length) this.grow();
    if (this.tail >= this.rebaseAt) this.rebase();
    entry.expiringSlot = this.tail;
    this.slots[this.tail % this.slots.length] = entry;
    this.tail++;
  }

  clear(slot: number): void {
    const { slots } = this;
    slots[slot % slots.length] = undefined;
    // Entries mostly leave in the order they came: the head follows them past the emptied slots.
    if (slot === this.head) {
      do this.head++;
      while (this.head < this.tail && slots[this.head % slots.length] === undefined);
    }
  }

  /** Slot numbers back near zero, the same ring positions kept: they stay small integers, which V8 keeps unboxed. */
  private rebase(): void {
    const { slots } = this;
    const shift = this.head - (this.head % slots.length);
    for (let i = this.head; i < this.tail; i++) {
      const entry = slots[i % slots.length];
      if (entry) entry.expiringSlot -= shift;
    }
    this.head -= shift;
    this.tail -= shift;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Array<Expiring | undefined>(old.length * 2).fill(undefined);
    for (let i = this.head; i < this.tail; i++) slots[i % slots.length] = old[i % old.length];
    this.slots = slots;
  }
}

export class Deadlines {
  /** One list per duration: a function's timeout repeats, so its attempts join one list in deadline order. */
  private readonly lists = new Map<number, DeadlineList>();
  private timer: NodeJS.Timeout | undefined;
  /** when the timer fires; never later than the earliest entry's deadline */
  private timerAt = Infinity;

  /** `rebaseAt`: where slot numbers start over (smaller only in tests) */
  constructor(private readonly rebaseAt = REBASE_AT) {}

  /** `entry` expires `durationMs` from now unless removed first. An entry is on one list at most. */
  add(entry: Expiring, durationMs: number): void {
    if (entry.expiringList) this.remove(entry);
    let list = this.lists.get(durationMs);
    if (list === undefined) {
      if (this.lists.size >= KEPT_EMPTY_LISTS) this.dropEmptyLists();
      list = new DeadlineList(durationMs, this.rebaseAt);
      this.lists.set(durationMs, list);
    }
    entry.expiresAt = performance.now() + durationMs;
    entry.expiringList = list;
    list.push(entry);
    // An entry that joins a list behind others cannot come before them, nor so before the timer.
    if (entry.expiresAt < this.timerAt) this.schedule(entry.expiresAt);
  }

  /** Takes `entry` off its list; nothing when it is on none. */
  remove(entry: Expiring): void {
    const list = entry.expiringList;
    if (list === undefined) return;
    entry.expiringList = undefined;
    list.clear(entry.expiringSlot);
    // The timer is left as it is: firing early finds nothing due and waits for the next entry. An emptied list
    // stays: a function's next attempt most likely has the same duration, and under load the list empties and
    // fills again many times a second.
  }

  /** How many lists there are, empty ones included (for tests). */
  get listCount(): number {
    return this.lists.size;
  }

  /** How many entries are on lists (for tests). */
  get size(): number {
    let count = 0;
    for (const list of this.lists.values()) {
      for (let i = list.head; i < list.tail; i++) if (list.slots[i % list.slots.length]) count++;
    }
    return count;
  }

  private dropEmptyLists(): void {
    for (const [durationMs, list] of this.lists) if (list.empty) this.lists.delete(durationMs);
  }

  private schedule(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Node's timers count whole milliseconds and may fire a little before `at` on this clock; fire() then waits
    // for the rest.
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(at - performance.now())));
    // Pending deadlines do not keep a process alive: their calls' sockets do, while they are open.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const due: Expiring[] = [];
    let earliest = Infinity;
    for (const list of this.lists.values()) {
      let first = list.first();
      while (first !== undefined && first.expiresAt <= now) {
        this.remove(first);
        due.push(first);
        first = list.first();
      }
      if (first !== undefined && first.expiresAt < earliest) earliest = first.expiresAt;
    }
    if (earliest !== Infinity) this.schedule(earliest);
    // Due on several lists (the loop ran late): in deadline order all the same.
    if (due.length > 1) due.sort((a, b) => a.expiresAt - b.expiresAt);
    // After the lists are consistent: an expiry may start another attempt, which adds to them.
    for (const entry of due) entry.expire();
  }
}
