import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';

import type { DialectName } from '../../src/platform/db/connect';
import { introspect, listTables } from '../../src/platform/db/introspect';
import { migrateTo, migrateToLatest } from '../../src/platform/db/migrate';
import { MIGRATIONS } from '../../src/platform/db/migrations';
import { ADDON_TABLES } from '../../src/platform/db/schema';

import { createTestDatabase } from './databases';

type Insert = (table: string, rows: Array<Record<string, unknown>>) => Promise<void>;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute, 7, 123)).toISOString();
const stamps = (minute: number) => ({ created_at: at(minute), updated_at: at(minute + 1) });
const json = (v: unknown) => JSON.stringify(v);

/**
 * A school's worth of rows in the 0001 schema (bare 0001 table names): two communities with
 * roles, members, courses, tiers, subscriptions and invites; channels with messages (a 70 000
 * character one, emoji, replies, pins, deletions), reactions, mentions and read states; feed
 * posts, comments and reactions; uploads on messages, posts and DMs; DM threads with messages;
 * and a row in every other table.
 */
async function fill0001(insert: Insert): Promise<void> {
  await insert('communities', [
    {
      id: 1,
      owner_id: 2,
      slug: 'physics-101',
      name: 'Physics 101 — Année 1 🚀',
      description: 'Waves, **optics** and\nmechanics.',
      visibility: 'public',
      cover_image_path: 'uploads/covers/a.webp',
      icon_path: null,
      cover_upload_id: 1,
      icon_upload_id: null,
      default_role_id: 3,
      status: 'active',
      is_featured: 1,
      settings: json({ chat: true, dms: true, slow_mode_seconds: 0 }),
      category: 'science',
      member_count: 3,
      last_activity_at: at(40),
      wizard_state: null,
      published_at: at(1),
      ...stamps(0),
    },
    {
      id: 2,
      owner_id: 3,
      slug: 'private-cohort',
      name: 'Private cohort',
      description: null,
      visibility: 'private',
      cover_image_path: null,
      icon_path: null,
      cover_upload_id: null,
      icon_upload_id: null,
      default_role_id: null,
      status: 'active',
      is_featured: 0,
      settings: '{}',
      category: null,
      member_count: 1,
      last_activity_at: null,
      wizard_state: json({ step: 2 }),
      published_at: null,
      ...stamps(2),
    },
  ]);
  await insert('community_roles', [
    { id: 1, community_id: null, name: 'Owner', slug: 'owner', permissions: json(['*']), rank: 100, is_system: 1, ...stamps(0) },
    {
      id: 2,
      community_id: 1,
      name: 'Moderator',
      slug: 'moderator',
      permissions: json(['pin_messages']),
      rank: 50,
      is_system: 0,
      ...stamps(0),
    },
    { id: 3, community_id: 1, name: 'Member', slug: 'member', permissions: json(['post']), rank: 10, is_system: 0, ...stamps(0) },
    { id: 4, community_id: 2, name: 'Member', slug: 'member', permissions: json(['post']), rank: 10, is_system: 0, ...stamps(2) },
  ]);
  await insert('community_courses', [
    { id: 1, community_id: 1, course_id: 1001, course_type: 'webinar', link_type: 'primary', auto_join: 1, ...stamps(3) },
    { id: 2, community_id: 1, course_id: 7, course_type: 'bundle', link_type: 'related', auto_join: 0, ...stamps(3) },
  ]);
  const member = (id: number, community_id: number, user_id: number, role_id: number, status: string, extra = {}) => ({
    id,
    community_id,
    user_id,
    role_id,
    joined_at: at(5 + id),
    last_seen_at: id % 2 ? at(30) : null,
    status,
    ban_reason: null,
    ban_expires_at: null,
    mute_expires_at: null,
    invited_by: null,
    source: 'join',
    ...stamps(5 + id),
    ...extra,
  });
  await insert('community_members', [
    member(1, 1, 2, 1, 'active', { source: 'owner' }),
    member(2, 1, 10, 3, 'active', { source: 'course', invited_by: 2 }),
    member(3, 1, 11, 3, 'banned', { ban_reason: 'Spam — “links”', ban_expires_at: at(59) }),
    member(4, 2, 3, 4, 'active'),
  ]);
  await insert('community_pricing_tiers', [
    {
      id: 1,
      community_id: 1,
      name: 'Free',
      slug: 'free',
      description: null,
      price_minor: 0,
      currency: 'USD',
      billing_interval: 'once',
      features: json({}),
      is_default: 1,
      is_active: 1,
      host_item_type: null,
      host_item_id: null,
      position: 0,
      ...stamps(4),
    },
    {
      id: 2,
      community_id: 1,
      name: 'Pro',
      slug: 'pro',
      description: 'Office hours',
      price_minor: 1999,
      currency: 'EUR',
      billing_interval: 'monthly',
      features: json({ office_hours: true }),
      is_default: 0,
      is_active: 1,
      host_item_type: 'subscribe',
      host_item_id: 3,
      position: 1,
      ...stamps(4),
    },
  ]);
  await insert('community_member_subscriptions', [
    {
      id: 1,
      community_id: 1,
      user_id: 10,
      pricing_tier_id: 2,
      status: 'active',
      started_at: at(6),
      expires_at: at(50),
      external_subscription_id: 'sale:4411',
      source: 'rocketlms',
      ...stamps(6),
    },
  ]);
  await insert('community_invites', [
    {
      id: 1,
      community_id: 2,
      token: 'inv_9f2c',
      created_by: 3,
      expires_at: null,
      max_uses: 5,
      uses: 1,
      revoked_at: null,
      ...stamps(7),
    },
  ]);
  const channel = (id: number, community_id: number, parent_id: number | null, name: string, type: string, extra = {}) => ({
    id,
    community_id,
    parent_id,
    name,
    slug: name.toLowerCase().replace(/\W+/g, '-'),
    type,
    topic: null,
    position: id,
    is_private: 0,
    settings: '{}',
    last_message_id: null,
    archived_at: null,
    ...stamps(8),
    ...extra,
  });
  await insert('channels', [
    channel(1, 1, null, 'Lectures', 'category'),
    channel(2, 1, 1, 'General', 'text', { topic: 'Say hi 👋', last_message_id: 3 }),
    channel(3, 1, 1, 'Staff', 'text', { is_private: 1, settings: json({ roles: ['moderator'] }) }),
    channel(4, 2, null, 'Announcements', 'announcement', { archived_at: at(45) }),
  ]);
  const message = (id: number, channel_id: number, user_id: number, content: string, extra = {}) => ({
    id,
    channel_id,
    user_id,
    content,
    metadata: '{}',
    reply_to_id: null,
    nonce: `n-${id}`,
    is_pinned: 0,
    pinned_at: null,
    pinned_by: null,
    is_deleted: 0,
    deleted_at: null,
    deleted_by: null,
    edited_at: null,
    mention_everyone: 0,
    moderation_state: 'visible',
    ...stamps(10 + id),
    ...extra,
  });
  await insert('channel_messages', [
    message(1, 2, 2, 'Welcome! Read the **syllabus** first. @[Ana](user:10)', { is_pinned: 1, pinned_at: at(12), pinned_by: 2 }),
    message(2, 2, 10, 'Merci 🙏 — où est le PDF ?', { reply_to_id: 1, edited_at: at(14) }),
    message(3, 2, 11, 'x'.repeat(70_000), { metadata: json({ long: true }) }),
    message(4, 2, 11, 'removed', { is_deleted: 1, deleted_at: at(20), deleted_by: 2, moderation_state: 'removed', nonce: null }),
    message(5, 3, 2, '@everyone staff meeting', { mention_everyone: 1 }),
  ]);
  await insert('channel_message_reactions', [
    { id: 1, message_id: 1, user_id: 10, emoji: '👍', ...stamps(15) },
    { id: 2, message_id: 1, user_id: 11, emoji: 'tada', ...stamps(15) },
  ]);
  await insert('channel_message_mentions', [{ id: 1, message_id: 1, channel_id: 2, user_id: 10 }]);
  await insert('channel_read_states', [
    { id: 1, channel_id: 2, user_id: 10, last_read_message_id: 2, mention_count: 0, updated_at: at(16) },
    { id: 2, channel_id: 2, user_id: 11, last_read_message_id: 0, mention_count: 1, updated_at: at(16) },
  ]);
  const post = (id: number, community_id: number | null, user_id: number, type: string, content: string, extra = {}) => ({
    id,
    community_id,
    user_id,
    type,
    title: null,
    content,
    metadata: '{}',
    visibility: 'community',
    is_pinned: 0,
    pinned_at: null,
    edited_at: null,
    deleted_at: null,
    deleted_by: null,
    comment_count: 0,
    reaction_count: 0,
    last_activity_at: at(20 + id),
    moderation_state: 'visible',
    nonce: null,
    dedupe_key: null,
    ...stamps(20 + id),
    ...extra,
  });
  await insert('central_feed_items', [
    post(1, 1, 2, 'announcement', 'Exam on **Friday**', {
      title: 'Exam',
      is_pinned: 1,
      pinned_at: at(21),
      comment_count: 2,
      reaction_count: 1,
    }),
    post(2, 1, 10, 'post', 'Study group tonight? 📚', { nonce: 'p-2' }),
    post(3, null, 0, 'system', 'Ana joined Physics 101', {
      visibility: 'public',
      dedupe_key: 'joined:1:10',
      metadata: json({ user_id: 10 }),
    }),
  ]);
  await insert('central_feed_comments', [
    {
      id: 1,
      feed_item_id: 1,
      parent_id: null,
      user_id: 10,
      content: 'Which chapters?',
      metadata: '{}',
      edited_at: null,
      deleted_at: null,
      reaction_count: 1,
      reply_count: 1,
      moderation_state: 'visible',
      nonce: 'c-1',
      ...stamps(25),
    },
    {
      id: 2,
      feed_item_id: 1,
      parent_id: 1,
      user_id: 2,
      content: '1 to 4.',
      metadata: '{}',
      edited_at: at(27),
      deleted_at: null,
      reaction_count: 0,
      reply_count: 0,
      moderation_state: 'visible',
      nonce: null,
      ...stamps(26),
    },
  ]);
  await insert('central_feed_reactions', [
    { id: 1, feed_item_id: 1, comment_id: 0, user_id: 10, reaction: '❤️', ...stamps(27) },
    { id: 2, feed_item_id: 1, comment_id: 1, user_id: 2, reaction: 'like', ...stamps(27) },
  ]);
  const upload = (id: number, extra: Record<string, unknown>) => ({
    id,
    message_id: null,
    uploader_id: 10,
    path: `uploads/2026/11/${id}.bin`,
    original_name: `notes-${id}.pdf`,
    mime_type: 'application/pdf',
    size: 5_242_880 + id,
    sha256: 'a'.repeat(64),
    scan_status: 'clean',
    scan_report: json({ engine: 'clamav', signature: null }),
    scanned_at: at(30),
    thumbnail_path: null,
    width: null,
    height: null,
    ...stamps(29),
    ...extra,
  });
  await insert('channel_message_attachments', [
    upload(1, { message_id: 2, community_id: 1, purpose: 'message' }),
    upload(2, {
      feed_item_id: 2,
      community_id: 1,
      purpose: 'post',
      mime_type: 'image/png',
      width: 1280,
      height: 720,
      thumbnail_path: 'thumbs/2.webp',
    }),
    upload(3, { community_id: 1, purpose: 'cover', scan_status: 'pending', scan_report: null, scanned_at: null, sha256: null }),
  ]);
  await insert('dm_threads', [
    { id: 1, created_by: 10, type: 'dm', title: null, last_message_at: at(33), last_message_id: 2, pair_key: '10:11', ...stamps(31) },
    {
      id: 2,
      created_by: 2,
      type: 'group',
      title: 'Lab partners',
      last_message_at: at(34),
      last_message_id: 3,
      pair_key: null,
      ...stamps(31),
    },
  ]);
  await insert('dm_participants', [
    { id: 1, thread_id: 1, user_id: 10, role: 'owner', joined_at: at(31), left_at: null, last_read_message_id: 2, muted_until: null },
    { id: 2, thread_id: 1, user_id: 11, role: 'member', joined_at: at(31), left_at: null, last_read_message_id: 1, muted_until: at(58) },
    { id: 3, thread_id: 2, user_id: 2, role: 'owner', joined_at: at(31), left_at: null, last_read_message_id: 0, muted_until: null },
    { id: 4, thread_id: 2, user_id: 10, role: 'member', joined_at: at(31), left_at: at(35), last_read_message_id: 3, muted_until: null },
  ]);
  const dm = (id: number, thread_id: number, user_id: number, content: string, extra = {}) => ({
    id,
    thread_id,
    user_id,
    content,
    metadata: '{}',
    reply_to_id: null,
    nonce: `d-${id}`,
    is_deleted: 0,
    deleted_at: null,
    edited_at: null,
    moderation_state: 'visible',
    ...stamps(31 + id),
    ...extra,
  });
  await insert('dm_messages', [
    dm(1, 1, 10, 'Salut ! Tu as les notes ?'),
    dm(2, 1, 11, 'Oui, voilà 📎', { reply_to_id: 1 }),
    dm(3, 2, 2, 'Lab moved to room 4', { edited_at: at(36) }),
  ]);
  await insert('dm_message_reactions', [{ id: 1, message_id: 2, user_id: 10, emoji: '🙌', ...stamps(34) }]);
  await insert('dm_message_attachments', [upload(1, { message_id: 2, thread_id: 1, uploader_id: 11 })]);
  await insert('dm_blocks', [{ id: 1, blocker_id: 11, blocked_id: 12, created_at: at(36) }]);
  await insert('gamification_profiles', [
    { id: 1, user_id: 10, total_points: 120, level: 2, xp: 20, last_awarded_at: at(37), settings: '{}', ...stamps(37) },
  ]);
  await insert('gamification_events', [
    {
      id: 1,
      user_id: 10,
      community_id: 1,
      type: 'message_posted',
      points: 5,
      metadata: json({ message_id: 2 }),
      occurred_at: at(14),
      source_key: 'msg:2',
      ...stamps(37),
    },
  ]);
  await insert('leaderboard_snapshots', [
    {
      id: 1,
      community_id: 1,
      period: 'weekly',
      starts_at: at(0),
      ends_at: at(59),
      data: json([{ user_id: 10, points: 120 }]),
      ...stamps(38),
    },
  ]);
  await insert('activity_heatmaps', [
    {
      id: 1,
      user_id: 10,
      community_id: 0,
      date: '2026-11-02',
      hourly_counts: json(Array.from({ length: 24 }, (_, h) => h % 3)),
      total: 23,
      ...stamps(38),
    },
  ]);
  await insert('badges', [
    {
      id: 1,
      slug: 'first-post',
      name: 'First post',
      description: 'Posted for the first time',
      icon: '🎉',
      rule: json({ posts: 1 }),
      ...stamps(39),
    },
  ]);
  await insert('user_badges', [{ id: 1, user_id: 10, badge_id: 1, community_id: 1, awarded_at: at(39) }]);
  await insert('moderation_reports', [
    {
      id: 1,
      reporter_id: 10,
      community_id: 1,
      target_type: 'channel_message',
      target_id: 4,
      reason: 'Spam',
      status: 'resolved',
      assigned_to: 2,
      resolution_notes: 'Removed',
      source: 'user',
      ...stamps(40),
    },
  ]);
  await insert('bad_words', [{ id: 1, word: 'darn', severity: 'low', replacement: 'd**n', ...stamps(40) }]);
  await insert('user_moderation_actions', [
    {
      id: 1,
      user_id: 11,
      community_id: 1,
      action: 'ban',
      reason: 'Spam',
      expires_at: at(59),
      performed_by: 2,
      revoked_at: null,
      source: 'moderator',
      ...stamps(41),
    },
  ]);
  await insert('file_scan_jobs', [
    {
      id: 1,
      attachment_type: 'channel',
      attachment_id: 3,
      status: 'pending',
      result: null,
      attempts: 1,
      run_at: at(42),
      locked_at: null,
      locked_by: null,
      last_error: 'clamd: connection refused',
      ...stamps(42),
    },
  ]);
  await insert('community_activity_stats', [
    {
      id: 1,
      community_id: 1,
      date: '2026-11-02',
      active_members: 3,
      messages: 5,
      feed_posts: 2,
      comments: 2,
      reactions: 4,
      new_members: 2,
      left_members: 0,
      ...stamps(43),
    },
  ]);
  await insert('user_activity_stats', [
    {
      id: 1,
      user_id: 10,
      community_id: 1,
      date: '2026-11-02',
      messages: 1,
      feed_posts: 1,
      comments: 1,
      reactions_given: 2,
      reactions_received: 1,
      dms: 1,
      ...stamps(43),
    },
  ]);
  await insert('community_notifications', [
    {
      id: 1,
      user_id: 10,
      type: 'mention',
      title: 'Dr. Lee mentioned you',
      body: 'Welcome! Read the syllabus first.',
      data: json({ channel_id: 2, message_id: 1 }),
      read_at: null,
      ...stamps(44),
    },
  ]);
  await insert('domain_events', [
    { id: 1, name: 'CommunityJoined', payload: json({ community_id: 1, user_id: 10 }), user_id: 10, community_id: 1, occurred_at: at(6) },
  ]);
  await insert('jobs', [
    {
      id: 1,
      queue: 'default',
      name: 'host.sync',
      payload: '{}',
      status: 'done',
      attempts: 1,
      max_attempts: 5,
      run_at: at(45),
      locked_at: null,
      locked_by: null,
      last_error: null,
      unique_key: 'host.sync',
      ...stamps(45),
    },
  ]);
  await insert('host_sync_cursors', [{ id: 1, name: 'sales', cursor: '1732950000:4411', updated_at: at(46) }]);
}

async function fill0003(insert: Insert): Promise<void> {
  const event = { community_id: 1, user_id: 10, source: 'join', member_count: 2 };
  const id = '0b4f6a52-6a43-4a8e-9a53-3c1f2b7d9e01';
  await insert('event_outbox', [{ id: 1, event_id: id, name: 'CommunityJoined', payload: json(event), occurred_at: at(50) }]);
  await insert('domain_events', [
    { id: 2, event_id: id, name: 'CommunityJoined', payload: json({ id, ...event }), user_id: 10, community_id: 1, occurred_at: at(50) },
  ]);
  await insert('event_cursors', [
    { id: 1, subscriber: 'analytics.event-log', last_id: 1, gaps: '[]', attempts: 0, updated_at: at(50) },
    {
      id: 2,
      subscriber: 'feed.system-items',
      last_id: 0,
      gaps: json([[3, 1732950000000]]),
      attempts: 2,
      retry_at: at(51),
      last_error: 'Error: host unreachable',
      lease_owner: 'web-1:4242:abcd1234',
      lease_until: at(51),
      updated_at: at(50),
    },
  ]);
  await insert('event_parked', [
    {
      id: 1,
      subscriber: 'feed.system-items',
      outbox_id: 1,
      event_id: id,
      name: 'CommunityJoined',
      payload: json(event),
      attempts: 8,
      error: 'Error: host unreachable',
      parked_at: at(52),
    },
  ]);
}

async function fill0004(insert: Insert): Promise<void> {
  await insert('moderation_violations', [
    {
      id: 1,
      user_id: 10,
      community_id: 1,
      rule: 'word',
      severity: 'medium',
      target_type: 'channel_message',
      target_id: 1,
      created_at: at(60),
    },
    {
      id: 2,
      user_id: 10,
      community_id: 0,
      rule: 'spam_repeat',
      severity: 'medium',
      target_type: 'dm_message',
      target_id: null,
      created_at: at(61),
    },
  ]);
  await insert('community_word_lists', [
    {
      id: 1,
      community_id: 1,
      words: json([{ word: 'zorp', severity: 'low', replacement: null }]),
      allow: json(['darn']),
      actions: json({ high: 'reject' }),
      updated_at: at(62),
    },
  ]);
}

/**
 * Rows to add once the named migration has run (bare table names as of that migration). A
 * migration that adds a table adds an entry here, so the upgrade carries rows through it too.
 */
const FILLS: Record<string, (insert: Insert) => Promise<void>> = {
  '0001_initial': fill0001,
  '0003_event_outbox': fill0003,
  '0004_moderation': fill0004,
  '0005_gamification': fill0005,
  '0007_activity_rollups': fill0007,
  '0008_admin_tools': fill0008,
  '0010_activity_read_rollups': fill0010,
  '0011_tier_sales': fill0011,
  '0012_notifications': fill0012,
  // 0015 writes its own rows (a search cursor per source, on SQLite): taken as they are, to be carried through.
  '0015_search_index_deferred': () => Promise.resolve(),
};

/** 0010 backfills `*` rows, running sums, member periods and years and channel counts from what 0007 held; these come on top. */
async function fill0010(insert: Insert): Promise<void> {
  const cum = (n: number) => Array.from({ length: 96 }, (_, q) => (q >= 40 ? n : 0).toString(36).padStart(6, '0')).join('');
  await insert('channel_activity_counts', [
    { id: 1000, channel_id: 1, community_id: 1, date: '2026-11-30', quarters: '40:2', cum: cum(2), total: 2, updated_at: at(80) },
  ]);
  await insert('member_activity_periods', [
    { id: 1000, community_id: 1, period: 'week', starts_on: '2026-11-30', user_id: 11, total: 2, updated_at: at(80) },
  ]);
  await insert('member_activity_years', [
    { id: 1000, community_id: 1, year: 2025, user_id: 11, cum: '00001'.repeat(366), updated_at: at(80) },
  ]);
}

async function fill0011(insert: Insert): Promise<void> {
  await insert('community_tier_sales', [
    {
      id: 1,
      community_id: 1,
      pricing_tier_id: 2,
      user_id: 10,
      host_sale_id: 4411,
      amount_minor: 1500,
      currency: 'GBP',
      sold_at: at(6),
      created_at: at(80),
    },
  ]);
}

async function fill0012(insert: Insert): Promise<void> {
  await insert('community_notifications', [
    {
      id: 2,
      user_id: 10,
      type: 'reply',
      title: 'Sam replied to you',
      body: 'Thanks!',
      data: json({}),
      read_at: null,
      community_id: 1,
      channel_id: 2,
      message_id: 1,
      thread_id: null,
      feed_item_id: null,
      actor_id: 11,
      count: 1,
      dedupe_key: 'reply:0193a0b1-0000-7000-8000-000000000001',
      ...stamps(81),
    },
  ]);
  await insert('notification_preferences', [
    {
      id: 1,
      user_id: 10,
      community_id: 1,
      channel_id: 0,
      muted: 0,
      level: 'mentions',
      kinds: json({ reaction: { in_app: false } }),
      updated_at: at(81),
    },
  ]);
}

async function fill0007(insert: Insert): Promise<void> {
  await insert('activity_counts', [
    { id: 1, user_id: 10, community_id: 1, date: '2026-11-24', kind: 'message', quarters: '40:2,41:1', total: 3, updated_at: at(60) },
    { id: 2, user_id: 0, community_id: 1, date: '2026-11-24', kind: 'message', quarters: '40:2,41:1', total: 3, updated_at: at(60) },
  ]);
  await insert('community_activity_periods', [
    { id: 1, community_id: 1, period: 'week', starts_on: '2026-11-23', active_members: 1, messages: 3, updated_at: at(60) },
  ]);
  await insert('activity_profiles', [{ id: 1, user_id: 10, show_activity: 1, updated_at: at(60) }]);
  await insert('activity_seen', [{ id: 1, event_id: '00000000-0000-4000-8000-000000000001', seen_at: at(60) }]);
}

async function fill0008(insert: Insert): Promise<void> {
  await insert('addon_settings', [{ id: 1, key: 'features.dm', value: 'false', updated_by: 1, updated_at: at(70) }]);
  await insert('admin_audit_log', [
    {
      id: 1,
      actor_user_id: 1,
      on_behalf_of_user_id: 2,
      community_id: 1,
      action: 'PATCH /api/communities/:id',
      detail: json({ grant_id: 1 }),
      created_at: at(70),
    },
  ]);
  await insert('admin_owner_grants', [
    {
      id: 1,
      admin_user_id: 1,
      community_id: 1,
      owner_user_id: 2,
      reason: 'support',
      created_at: at(70),
      expires_at: at(130),
      ended_at: null,
    },
  ]);
}

async function fill0005(insert: Insert): Promise<void> {
  await insert('gamification_scores', [
    { id: 1, community_id: 1, period: 'all', user_id: 10, points: 15, level: 2, updated_at: at(60) },
    { id: 2, community_id: 0, period: 'w2026-11-23', user_id: 10, points: 15, level: 1, updated_at: at(60) },
  ]);
  await insert('gamification_score_counts', [{ id: 1, community_id: 1, period: 'all', points: 15, members: 1 }]);
  await insert('gamification_settings', [
    { id: 1, scope: 'site', data: json({ points: { post_message: 2 } }), updated_by: 1, updated_at: at(60) },
  ]);
  await insert('gamification_helpful_marks', [
    { id: 1, target_type: 'message', target_id: 1, community_id: 1, author_id: 10, marked_by: 11, created_at: at(60) },
  ]);
  await insert('gamification_active_days', [{ id: 1, user_id: 10, community_id: 1, day: '2026-11-24' }]);
}

type Rows = Array<Record<string, unknown>>;

/** Rows in id order, or, without an id column, in the order of all their values. */
function sortRows(rows: Rows): Rows {
  if (rows.length > 0 && !('id' in rows[0]!)) {
    const text = (r: Record<string, unknown>) =>
      JSON.stringify(
        Object.keys(r)
          .sort()
          .map((k) => String(r[k])),
      );
    return [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  }
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Builds a database migration by migration, filling it with rows on the way (FILLS), then
 * checks that its schema equals a fresh install's (introspected) and that every row survived,
 * following renames. Every migration is covered without changes here: it only has to keep
 * rows (a migration that rewrites data adds its own expectation).
 */
export async function checkUpgrade(dialect: DialectName, prefix: string): Promise<void> {
  const upgraded = await createTestDatabase(dialect, { prefix });
  const fresh = await createTestDatabase(dialect, { prefix });
  try {
    const db = upgraded.db.db.withoutPlugins() as Kysely<any>;
    const insert: Insert = async (table, rows) => {
      for (const row of rows)
        await db
          .insertInto(prefix + table)
          .values(row)
          .execute();
      // PostgreSQL: rows given their ids leave the id sequence behind, which a migration that
      // inserts rows itself (0010's backfill) would then collide with. The app never does that.
      if (dialect === 'postgres' && rows.some((r) => r.id !== undefined))
        await sql`select setval(pg_get_serial_sequence(${prefix + table}, 'id'), (select max(id) from ${sql.table(prefix + table)}))`.execute(
          db,
        );
    };
    // By id; a table without one (SQLite's gamification_scores since 0018) by all its values.
    const read = async (table: string): Promise<Rows> =>
      sortRows(
        await db
          .selectFrom(prefix + table)
          .selectAll()
          .execute(),
      );
    let expected = new Map<string, Rows>();
    for (const m of MIGRATIONS) {
      expect((await migrateTo(upgraded.db, m.name)).map((r) => r.name)).toEqual([m.name]);
      for (const [from, to] of Object.entries(m.renames ?? {})) {
        const rows = expected.get(from);
        expected.delete(from);
        if (rows) expected.set(to, rows);
      }
      for (const t of m.drops ?? []) expected.delete(t);
      // 0018 rebuilds SQLite's score rows keyed by member, without the id column: same rows, no ids.
      const scores = expected.get('gamification_scores');
      if (m.name === '0018_gamification_lean_writes' && dialect === 'sqlite' && scores)
        expected.set('gamification_scores', sortRows(scores.map(({ id: _id, ...rest }) => rest)));
      const fill = FILLS[m.name];
      if (fill) {
        await fill(insert);
        expected = new Map();
        for (const t of await listTables(db, dialect)) {
          if (!t.startsWith(prefix) || t.startsWith(`${prefix}communities_migrations`)) continue;
          expected.set(t.slice(prefix.length), await read(t.slice(prefix.length)));
        }
      }
      if (m.name === '0001_initial') {
        const empty = [...expected].filter(([, rows]) => rows.length === 0).map(([t]) => t);
        expect(empty, 'every 0001 table gets rows').toEqual([]);
      }
    }
    expect(await migrateToLatest(upgraded.db)).toEqual([]);
    await migrateToLatest(fresh.db);

    const names = await listTables(db, dialect);
    expect(names).toEqual(await listTables(fresh.db.db.withoutPlugins(), dialect));
    expect(names.filter((t) => !t.startsWith(`${prefix}communities_migrations`)).sort()).toEqual(
      ADDON_TABLES.map((t) => prefix + t).sort(),
    );
    expect(await introspect(db, dialect)).toEqual(await introspect(fresh.db.db.withoutPlugins(), dialect));

    for (const [table, rows] of expected) {
      const now = await read(table);
      const columns = Object.keys(rows[0] ?? {});
      const project = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c, r[c]]));
      expect({ table, rows: now.map(project) }).toEqual({ table, rows });
    }
  } finally {
    await upgraded.drop();
    await fresh.drop();
  }
}
