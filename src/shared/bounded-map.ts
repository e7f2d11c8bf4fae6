/**
 * A map that keeps at most `max` entries and forgets the one used longest ago when a new one comes (a `put` counts as
 * a use; `get` does not). For what the bridge remembers about recent payments without growing for ever: the journal's
 * records, receipts and refs, the metrics' payments in flight, the ePOS driver's payment ids, the printer-capture
 * totals waiting for a lane. A plain `Map` keeps insertion order, which is all an eviction in this order needs.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets the entry as the most recently used, forgetting the oldest beyond `max`. */
  put(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  /** Replaces an entry that is there (without counting as a use). */
  update(key: K, f: (v: V) => V): void {
    const v = this.map.get(key);
    if (v !== undefined) this.map.set(key, f(v));
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.map[Symbol.iterator]();
  }

  clear(): void {
    this.map.clear();
  }
}
