/**
 * A Map whose string keys compare case-insensitively but remember the case they were last set
 * with, like Requests' `CaseInsensitiveDict`. Headers live in one.
 *
 *   const h = new CaseInsensitiveDict({ 'Content-Type': 'text/plain' });
 *   h.get('content-type'); // 'text/plain'
 */
export type CaseInsensitiveInit<V> =
  | Iterable<readonly [string, V]>
  | Record<string, V>
  | CaseInsensitiveDict<V>
  | null
  | undefined;

export class CaseInsensitiveDict<V> implements Map<string, V> {
  // lower-cased key → [key as last set, value]. Entries are frozen, so iterating hands them out
  // as they are and a copy shares them: headers are copied and walked several times per request.
  #store = new Map<string, readonly [string, V]>();

  constructor(init?: CaseInsensitiveInit<V>) {
    if (init) this.update(init);
  }

  get size(): number {
    return this.#store.size;
  }

  get [Symbol.toStringTag](): string {
    return 'CaseInsensitiveDict';
  }

  get(key: string): V | undefined {
    return this.#store.get(key.toLowerCase())?.[1];
  }

  set(key: string, value: V): this {
    this.#store.set(key.toLowerCase(), Object.freeze([key, value] as const));
    return this;
  }

  has(key: string): boolean {
    return this.#store.has(key.toLowerCase());
  }

  delete(key: string): boolean {
    return this.#store.delete(key.toLowerCase());
  }

  clear(): void {
    this.#store.clear();
  }

  /** Adds every entry of `other`, later keys replacing earlier ones whatever their case. */
  update(other: CaseInsensitiveInit<V>): this {
    if (!other) return this;
    if (other instanceof CaseInsensitiveDict) {
      for (const [lower, entry] of other.#store) this.#store.set(lower, entry);
      return this;
    }
    const entries: Iterable<readonly [string, V]> =
      Symbol.iterator in Object(other) ? (other as Iterable<readonly [string, V]>) : Object.entries(other);
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.#store.values()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.#store.values()) yield value;
  }

  entries(): MapIterator<[string, V]> {
    // The frozen entries themselves: no generator, no array per entry.
    return this.#store.values() as MapIterator<[string, V]>;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  /** Entries with lower-cased keys, for comparisons. */
  *lowerItems(): IterableIterator<[string, V]> {
    for (const [lower, [, value]] of this.#store) yield [lower, value];
  }

  forEach(callback: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  copy(): CaseInsensitiveDict<V> {
    return new CaseInsensitiveDict<V>(this);
  }

  /** Equal when both hold the same keys (ignoring case) with the same values. */
  equals(other: CaseInsensitiveInit<V>): boolean {
    const that = other instanceof CaseInsensitiveDict ? other : new CaseInsensitiveDict<V>(other);
    if (that.size !== this.size) return false;
    for (const [lower, value] of this.lowerItems()) {
      if (!that.has(lower) || that.get(lower) !== value) return false;
    }
    return true;
  }

  toJSON(): Record<string, V> {
    return Object.fromEntries(this.entries());
  }
}
