/**
 * Removes and returns the longest prefix of `queue` whose sizes add up to at most `max`, and always its first item
 * (an item larger than `max` goes alone, never split). The one rule every coalescer here uses to cut a batch: the
 * producer's requests, a publisher's waiting sends, the scoring worker's queued chunks.
 */
export function takeUpTo<T>(queue: T[], size: (item: T) => number, max: number): T[] {
  let total = 0;
  let k = 0;
  while (k < queue.length && (k === 0 || total + size(queue[k]!) <= max)) total += size(queue[k++]!);
  return queue.splice(0, k);
}
