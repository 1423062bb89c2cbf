/** One of an author's posts as the repeat rule compares it: the stored text and when it was posted. */
export interface RecentPost {
  id: number;
  content: string;
  created_at: string;
}

/** Commits held for a key not yet seeded (the seed's read is in flight): more than any lookback. */
const UNSEEDED_CAP = 256;

interface Entry {
  /** Newest first, at most `depth`. */
  posts: RecentPost[];
  /** How many latest posts the database was asked for; 0 while only commits seen here are held. */
  depth: number;
}

/**
 * The latest posts of recently active authors, per kind of post (`channel_messages:5`), kept by
 * the process that writes them, so the spam repeat rule reads no rows per post. Only where one
 * process writes (SQLite): on a server database other API nodes post too.
 *
 * A key is seeded from the database on first use (its latest `depth` posts) and then follows the
 * commits this process makes (`posted`: new posts and edits). A commit that lands while the seed
 * is being read is kept: the seed is merged by id with what arrived meanwhile. Asked for more
 * posts than it was seeded with (the rule's count raised at runtime), it seeds again.
 */
export class RecentPosts {
  private readonly entries = new Map<string, Entry>();

  /** @param maxKeys keys kept, least recently used dropped first */
  constructor(private readonly maxKeys = 20_000) {}

  /** The key's latest `depth` posts, newest first, or undefined until seeded that deep. */
  get(key: string, depth: number): readonly RecentPost[] | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.depth < depth) return undefined;
    this.touch(key, entry);
    return entry.posts.length > depth ? entry.posts.slice(0, depth) : entry.posts;
  }

  /** The database's latest `depth` posts for the key, merged with the commits seen meanwhile. */
  seed(key: string, depth: number, rows: readonly RecentPost[]): readonly RecentPost[] {
    const entry = this.entries.get(key) ?? { posts: [], depth: 0 };
    const held = new Set(entry.posts.map((p) => p.id));
    entry.depth = Math.max(entry.depth, depth);
    entry.posts = newest([...rows.filter((r) => !held.has(r.id)), ...entry.posts], entry.depth);
    this.touch(key, entry);
    return entry.posts.slice(0, depth);
  }

  /** After a commit: a new post, or an edit's new text (an edit of a post older than those held changes nothing). */
  posted(key: string, post: RecentPost): void {
    const entry = this.entries.get(key) ?? { posts: [], depth: 0 };
    const at = entry.posts.findIndex((p) => p.id === post.id);
    if (at >= 0) entry.posts[at] = { ...entry.posts[at]!, content: post.content };
    else if (!(entry.depth > 0 && entry.posts.length >= entry.depth && post.id < entry.posts[entry.posts.length - 1]!.id))
      entry.posts = newest([post, ...entry.posts], entry.depth || UNSEEDED_CAP);
    this.touch(key, entry);
  }

  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}

function newest(posts: RecentPost[], depth: number): RecentPost[] {
  return posts.sort((a, b) => b.id - a.id).slice(0, depth);
}
