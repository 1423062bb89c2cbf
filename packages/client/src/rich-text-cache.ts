import { parseRichText, type RichBlock } from '@communities/contract';

const LIMIT = 500;
const trees = new Map<string, readonly RichBlock[]>();

/**
 * The rich-text tree of a message or post, parsed once per text while it is among the last
 * {@link LIMIT} shown: lists re-render and recycle rows often, and a parse can cost
 * milliseconds. The tree is shared, so renderers only read it.
 */
export function richTextTree(source: string): readonly RichBlock[] {
  const hit = trees.get(source);
  if (hit) {
    trees.delete(source); // most recently used last: the first key is the one to evict
    trees.set(source, hit);
    return hit;
  }
  const doc = parseRichText(source);
  trees.set(source, doc);
  if (trees.size > LIMIT) trees.delete(trees.keys().next().value!);
  return doc;
}
