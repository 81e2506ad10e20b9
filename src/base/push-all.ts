/**
 * Appends every item, in a loop: `into.push(...items)` passes each item as an argument and
 * overflows the stack at some 100,000 of them (a hostile source has that many errors).
 */
export function pushAll<T>(into: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) into.push(items[i] as T);
}
