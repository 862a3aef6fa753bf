// A function of one key remembered for up to `limit` keys, for text the hot path would otherwise make per request
// (a header name's pieces, a route key's). Past the limit the memory starts over: a caller that sees ever new keys
// costs a make per key and a bounded map, never an unbounded one.
export function boundedMemo<K, V>(limit: number, make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      if (made.size >= limit) made.clear();
      made.set(key, value);
    }
    return value;
  };
}
