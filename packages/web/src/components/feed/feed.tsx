import { useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import { feedMentions, useCommunityFeedQuery, useFeedLive } from '../../state/queries/feed';
import { useMe } from '../../state/session';

import { PostComposer } from './composer';
import { PostCard } from './post-card';

/**
 * A community's feed: the composer, pinned posts, then the latest; live. Someone else's new
 * posts wait behind a "N new posts" pill instead of pushing the page down under the reader.
 */
export function Feed({ slug, communityId, canPost }: { slug: string; communityId: number; canPost: boolean }) {
  const { t } = useTranslation();
  const me = useMe().data?.id;
  const feed = useCommunityFeedQuery(slug);
  const live = useFeedLive(slug, communityId, me);
  const top = useRef<HTMLDivElement>(null);
  const source = useCallback((q: string) => feedMentions(slug, q, me ?? 0), [slug, me]);
  const pinned = feed.data?.pages[0]?.pinned ?? [];
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="cm-feed" ref={top}>
      {canPost ? me !== undefined && <PostComposer slug={slug} me={me} /> : <p className="cm-muted">{t('feed.cannot_post')}</p>}
      {live.fresh > 0 && (
        <div className="cm-fresh-wrap">
          <button
            type="button"
            className="cm-fresh"
            onClick={() => {
              void live.showFresh();
              top.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            }}
          >
            ↑ {t('feed.new_posts', { count: live.fresh })}
          </button>
        </div>
      )}
      {[...pinned, ...items].map((i) => (
        <PostCard key={i.id} item={i} slug={slug} source={source} />
      ))}
      {feed.isSuccess && pinned.length + items.length === 0 && live.fresh === 0 && <p className="cm-empty">{t('feed.empty')}</p>}
      {feed.hasNextPage && (
        <button type="button" className="cm-button cm-button--ghost cm-more" onClick={() => void feed.fetchNextPage()}>
          {t('feed.load_more')}
        </button>
      )}
    </div>
  );
}
