import { z } from 'zod';

import { cursorQuery, endpoint, isoTime, okResponse, page, patchOf } from '../endpoint';
import { COMMUNITY_PERMISSIONS, roleSlugSchema, tierFeaturesSchema } from '../permissions';

const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');
/** A community is addressed by id or by slug. */
export const communityRef = z.object({ id: z.string().min(1).max(80) }).strict();
const idNum = z.coerce.number().int().positive();

export const VISIBILITIES = ['public', 'private', 'hidden'] as const;
export const communitySettingsSchema = z
  .object({
    chat_enabled: z.boolean().default(true),
    feed_enabled: z.boolean().default(true),
    dms_between_members: z.boolean().default(true),
    join_approval: z.boolean().default(false),
    auto_join_from_courses: z.boolean().default(true),
    /** Members browse the roster. Off: only the owner, roles with manage_members or moderate, and site admins do; members get a name lookup (non-empty q, at most 10, one page) and 403 member_list_hidden otherwise. */
    show_member_list: z.boolean().default(true),
    /** Members see "activity this week" (actions per member over 7 days; only those who show their activity). Owners, moderators and admins always do. */
    show_member_activity: z.boolean().default(false),
    /** When a course-derived member loses the course (refund, expiry, manual purchase removed): remove them, or keep them read-only as alumni. */
    course_access_ended: z.enum(['remove', 'alumni']).default('remove'),
  })
  .strict();
export type CommunitySettings = z.infer<typeof communitySettingsSchema>;

export const slugSchema = z
  .string()
  .min(3)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and single dashes');

export const userSummarySchema = z.object({ id: z.number().int(), name: z.string(), avatar_url: z.string().nullable() });
export type UserSummary = z.infer<typeof userSummarySchema>;

export const priceSchema = z.object({
  amount_minor: z.number().int(),
  currency: z.string(),
  interval: z.enum(['monthly', 'yearly', 'once']),
});
export const viewerMembershipSchema = z
  .object({
    status: z.enum(['active', 'pending', 'muted', 'banned']),
    role: z.string(),
    /** When a mute ends (null: until lifted by hand, or not muted); clients explain the restriction with it. */
    muted_until: isoTime.nullable(),
    /** Why the viewer is muted or banned (the moderator's or the automatic rule's words), so clients can say it. */
    sanction_reason: z.string().nullable(),
  })
  .nullable();

export const communityCardSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  visibility: z.enum(VISIBILITIES),
  status: z.enum(['draft', 'active', 'archived']),
  category: z.string().nullable(),
  is_featured: z.boolean(),
  icon_url: z.string().nullable(),
  cover_url: z.string().nullable(),
  member_count: z.number().int(),
  activity_level: z.enum(['quiet', 'active', 'buzzing']),
  last_activity_at: isoTime.nullable(),
  price: priceSchema.nullable(),
  viewer_membership: viewerMembershipSchema,
});
export type CommunityCard = z.infer<typeof communityCardSchema>;

export const communityDetailSchema = communityCardSchema.extend({
  owner: userSummarySchema,
  settings: communitySettingsSchema,
  created_at: isoTime,
  /** Actions the caller may take here (from the access engine), for showing buttons. */
  viewer_permissions: z.array(z.string()),
  /**
   * What the page shows the caller, decided once: `join` says which join button (none for members,
   * and never "request" to a site admin, who joins directly); `compose` whether a composer shows
   * (members only: an admin who is not a member gets admin controls, not a composer); `manage`
   * whether the settings are open to them; `admin_override` that admin powers (not membership) give it.
   */
  viewer_capabilities: z.object({
    member: z.boolean(),
    join: z.enum(['join', 'request', 'none']),
    compose: z.boolean(),
    manage: z.boolean(),
    admin_override: z.boolean(),
  }),
  /** Set while the caller holds an "open as owner" support grant here: show a banner until expires_at. */
  acting_as_owner: z.object({ grant_id: z.number().int(), owner: userSummarySchema, reason: z.string(), expires_at: isoTime }).nullable(),
});
export type CommunityDetail = z.infer<typeof communityDetailSchema>;

const communityInput = z
  .object({
    name: z.string().trim().min(3).max(120),
    slug: slugSchema.optional(),
    description: z.string().max(5000).nullable().optional(),
    visibility: z.enum(VISIBILITIES).default('public'),
    category: z.string().trim().min(1).max(60).nullable().optional(),
    settings: patchOf(communitySettingsSchema).optional(),
    icon_upload_id: z.number().int().positive().nullable().optional(),
    cover_upload_id: z.number().int().positive().nullable().optional(),
    default_channels: z.boolean().default(true),
  })
  .strict();

export const memberSchema = z.object({
  user: userSummarySchema,
  role: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }),
  status: z.enum(['active', 'pending', 'muted', 'banned']),
  joined_at: isoTime,
  status_expires_at: isoTime.nullable(),
  ban_reason: z.string().nullable(),
  source: z.string(),
  /** A pending requester's words to the owner when asking to join (null when none, or not a request). */
  request_intro: z.string().nullable(),
});
export type Member = z.infer<typeof memberSchema>;

export const roleSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  rank: z.number().int(),
  permissions: z.array(z.string()),
  is_system: z.boolean(),
});

export const inviteSchema = z.object({
  id: z.number().int(),
  token: z.string(),
  url: z.string(),
  expires_at: isoTime.nullable(),
  max_uses: z.number().int().nullable(),
  uses: z.number().int(),
  revoked: z.boolean(),
  created_at: isoTime,
});

export const COURSE_LINK_TYPES = ['primary', 'related', 'live_classroom'] as const;
export const courseLinkSchema = z.object({
  id: z.number().int(),
  course_id: z.number().int(),
  course_type: z.enum(['course', 'bundle', 'live_class']),
  link_type: z.enum(COURSE_LINK_TYPES),
  auto_join: z.boolean(),
  title: z.string(),
  url: z.string().nullable(),
  image_url: z.string().nullable(),
});

export const tierSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  price_minor: z.number().int(),
  currency: z.string(),
  billing_interval: z.enum(['monthly', 'yearly', 'once']),
  features: z.record(z.string(), z.unknown()),
  is_default: z.boolean(),
  is_active: z.boolean(),
  host_item_type: z.enum(['course', 'bundle', 'subscribe', 'product']).nullable(),
  host_item_id: z.number().int().nullable(),
  /** Where "Join for …" sends a buyer: RocketLMS's page for the linked item (null: not sold through RocketLMS). */
  checkout_url: z.string().nullable(),
});
/** A RocketLMS item a paid tier can be sold as: a course (webinar), bundle, subscription plan (`subscribes`) or store product. */
export const SOLD_ITEM_TYPES = ['course', 'bundle', 'subscribe', 'product'] as const;
export type SoldItemType = (typeof SOLD_ITEM_TYPES)[number];
export const sellableItemSchema = z.object({
  type: z.enum(SOLD_ITEM_TYPES),
  id: z.number().int(),
  title: z.string(),
  /** Its RocketLMS page, where it is bought. */
  url: z.string(),
});
export type SellableItem = z.infer<typeof sellableItemSchema>;

export const subscriptionSchema = z.object({
  id: z.number().int(),
  tier_id: z.number().int(),
  status: z.enum(['active', 'past_due', 'expired', 'cancelled']),
  started_at: isoTime,
  expires_at: isoTime.nullable(),
  source: z.enum(['manual', 'rocketlms']),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

const subscriberCounts = z.object({
  active: z.number().int(),
  past_due: z.number().int(),
  expired: z.number().int(),
  cancelled: z.number().int(),
});
export const tierRevenueSchema = z.object({
  /** The school's currency (ISO 4217) revenue is in; format with Intl.NumberFormat. */
  currency: z.string(),
  tiers: z.array(
    z.object({
      tier: tierSchema.pick({ id: true, name: true, price_minor: true, currency: true, billing_interval: true, is_active: true }),
      /** Subscriptions by status (one per member and tier; a member who renewed counts once). */
      subscribers: subscriberCounts,
      /** RocketLMS sales that started or renewed it and still stand (not refunded, access kept). */
      sales: z.number().int(),
      /** Those sales refunded or withdrawn since: left out of revenue. */
      refunded_sales: z.number().int(),
      /** Sum of the standing sales' amounts, in minor units of `currency`. */
      revenue_minor: z.number().int(),
    }),
  ),
  totals: z.object({ subscribers: subscriberCounts, sales: z.number().int(), revenue_minor: z.number().int() }),
});
export type TierRevenue = z.infer<typeof tierRevenueSchema>;

const tierInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    description: z.string().max(2000).nullable().optional(),
    price_minor: z.number().int().min(0).max(100_000_000),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    billing_interval: z.enum(['monthly', 'yearly', 'once']).default('monthly'),
    features: tierFeaturesSchema
      .default({})
      .describe(
        'see TIER_FEATURES: post_feed, comment, react, send_messages, attach_files (booleans) gate taking part; other keys are labels',
      ),
    is_default: z.boolean().default(false),
    is_active: z.boolean().default(true),
    host_item_type: z.enum(['course', 'bundle', 'subscribe', 'product']).nullable().optional(),
    host_item_id: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const WIZARD_STEPS = ['basics', 'visibility', 'channels', 'pricing', 'courses'] as const;
export const wizardStepSchemas = {
  basics: z
    .object({
      name: z.string().trim().min(3).max(120),
      slug: slugSchema.optional(),
      description: z.string().max(5000).nullable().optional(),
      category: z.string().trim().min(1).max(60).nullable().optional(),
      icon_upload_id: z.number().int().positive().nullable().optional(),
      cover_upload_id: z.number().int().positive().nullable().optional(),
    })
    .strict(),
  visibility: z
    .object({
      visibility: z.enum(VISIBILITIES),
      settings: patchOf(communitySettingsSchema).optional(),
      roles: z
        .array(z.object({ slug: roleSlugSchema, permissions: z.array(z.enum(COMMUNITY_PERMISSIONS)) }).strict())
        .max(10)
        .optional(),
    })
    .strict(),
  channels: z
    .object({
      category: z.string().trim().min(1).max(100).default('General'),
      channels: z
        .array(
          z
            .object({
              name: z.string().trim().min(1).max(100),
              type: z.enum(['text', 'announcement']).default('text'),
              topic: z.string().max(500).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(20),
    })
    .strict(),
  pricing: z.object({ tiers: z.array(tierInput).max(10) }).strict(),
  courses: z
    .object({
      links: z
        .array(
          z
            .object({
              course_id: z.number().int().positive(),
              course_type: z.enum(['course', 'bundle', 'live_class']).default('course'),
              link_type: z.enum(COURSE_LINK_TYPES).default('primary'),
              auto_join: z.boolean().default(true),
            })
            .strict(),
        )
        .max(50),
    })
    .strict(),
} as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const wizardSchema = z.object({
  id: z.number().int(),
  status: z.enum(['draft', 'active', 'archived']),
  steps: z.record(z.string(), z.unknown()),
  completed: z.array(z.enum(WIZARD_STEPS)),
  missing: z.array(z.enum(WIZARD_STEPS)),
  slug: z.string(),
});

const membersQuery = z
  .object({
    q: z.string().trim().max(100).optional(),
    role: roleSlugSchema.optional(),
    status: z.enum(['active', 'pending', 'muted', 'banned']).optional(),
    ...cursorQuery,
  })
  .strict();

export const communities = {
  list: endpoint({
    method: 'GET',
    path: '/api/communities',
    summary: 'Discover communities: search, filter, sort; anonymous callers see public ones',
    tag: 'communities',
    auth: 'public',
    query: z
      .object({
        q: z.string().trim().max(100).optional(),
        category: z.string().max(60).optional(),
        price: z.enum(['free', 'paid']).optional(),
        activity: z.enum(['active', 'quiet']).optional(),
        joined: queryBool.optional(),
        featured: queryBool.optional(),
        sort: z.enum(['activity', 'members', 'newest']).default('activity'),
        ...cursorQuery,
      })
      .strict(),
    response: page(communityCardSchema),
  }),
  get: endpoint({
    method: 'GET',
    path: '/api/communities/:id',
    summary: 'A community by id or slug, with what the caller may do there',
    tag: 'communities',
    params: communityRef,
    response: communityDetailSchema,
    errors: ['not_found'],
  }),
  create: endpoint({
    method: 'POST',
    path: '/api/communities',
    summary:
      'Create and publish a community with default roles and channels; a reserved or taken slug (hidden communities included) answers the same 409 (details.reason slug_unavailable)',
    tag: 'communities',
    body: communityInput,
    response: communityDetailSchema,
    status: 201,
    errors: ['forbidden', 'conflict'],
  }),
  update: endpoint({
    method: 'PATCH',
    path: '/api/communities/:id',
    summary: 'Change a community (owner, or roles with manage_community); status archives or restores it',
    tag: 'communities',
    params: communityRef,
    body: patchOf(communityInput.omit({ default_channels: true }))
      .extend({ status: z.enum(['active', 'archived']).optional(), is_featured: z.boolean().optional() })
      .strict(),
    response: communityDetailSchema,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  remove: endpoint({
    method: 'DELETE',
    path: '/api/communities/:id',
    summary: 'Delete a community and everything in it (owner or admin); confirm_name must equal its name',
    tag: 'communities',
    params: communityRef,
    body: z.object({ confirm_name: z.string().max(200) }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  join: endpoint({
    method: 'POST',
    path: '/api/communities/:id/join',
    summary:
      "Join: public → member; private or approval → pending, or member with a moderator's valid invite (a member's invite still asks for approval); paid → needs a tier",
    tag: 'membership',
    params: communityRef,
    body: z
      .object({
        invite_token: z.string().min(10).max(100).optional(),
        intro: z.string().trim().max(1000).optional().describe('a few words to the owner, kept with a join request'),
      })
      .strict(),
    response: z.object({ status: z.enum(['active', 'pending']), role: z.string() }),
    errors: ['forbidden', 'not_found'],
  }),
  leave: endpoint({
    method: 'POST',
    path: '/api/communities/:id/leave',
    summary: 'Leave (or cancel a join request); the owner must transfer ownership first',
    tag: 'membership',
    params: communityRef,
    response: okResponse,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  requests: endpoint({
    method: 'GET',
    path: '/api/communities/:id/requests',
    summary: 'Pending join requests',
    tag: 'membership',
    params: communityRef,
    query: z.object({ ...cursorQuery }).strict(),
    response: page(memberSchema),
    errors: ['forbidden', 'not_found'],
  }),
  decideRequest: endpoint({
    method: 'POST',
    path: '/api/communities/:id/requests/:userId/:decision',
    summary: 'Approve or reject a join request, with an optional message; the requester hears it live (membership.request_decided)',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), userId: idNum, decision: z.enum(['approve', 'reject']) }).strict(),
    body: z.object({ message: z.string().trim().max(1000).optional() }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  members: endpoint({
    method: 'GET',
    path: '/api/communities/:id/members',
    summary:
      'Members, newest first; search by name, filter by role and status. With show_member_list off, only the owner, roles with manage_members or moderate, and admins browse it (members.browse); other members may only look a name up (non-empty q, at most 10, no cursor or status; next_cursor null), else 403 with details.reason member_list_hidden',
    tag: 'membership',
    params: communityRef,
    query: membersQuery,
    response: page(memberSchema),
    errors: ['forbidden', 'not_found'],
  }),
  updateMember: endpoint({
    method: 'PATCH',
    path: '/api/communities/:id/members/:userId',
    summary: "Change a member's role, or mute, ban or restore them (hierarchy respected)",
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), userId: idNum }).strict(),
    body: z
      .object({
        role: roleSlugSchema.optional(),
        status: z.enum(['active', 'muted', 'banned']).optional(),
        reason: z.string().max(500).optional(),
        duration_minutes: z.number().int().min(1).max(525_600).optional(),
      })
      .strict()
      .refine((b) => b.role !== undefined || b.status !== undefined, { message: 'Give a role or a status', path: ['role'] }),
    response: memberSchema,
    errors: ['forbidden', 'not_found'],
  }),
  removeMember: endpoint({
    method: 'DELETE',
    path: '/api/communities/:id/members/:userId',
    summary: 'Remove a member (kick, with an optional reason for the audit log); they may join again',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), userId: idNum }).strict(),
    query: z.object({ reason: z.string().trim().max(500).optional() }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  transfer: endpoint({
    method: 'POST',
    path: '/api/communities/:id/transfer',
    summary: 'Hand the community to another active member; the old owner becomes a moderator; confirm_name, when sent, must equal its name',
    tag: 'membership',
    params: communityRef,
    body: z.object({ user_id: z.number().int().positive(), confirm_name: z.string().max(200).optional() }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  roles: endpoint({
    method: 'GET',
    path: '/api/communities/:id/roles',
    summary: "The community's roles and their permissions",
    tag: 'membership',
    params: communityRef,
    response: z.object({ items: z.array(roleSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  updateRole: endpoint({
    method: 'PATCH',
    path: '/api/communities/:id/roles/:roleId',
    summary: 'Rename a role or change its permissions (the owner role keeps all)',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), roleId: idNum }).strict(),
    body: z
      .object({ name: z.string().trim().min(1).max(64).optional(), permissions: z.array(z.enum(COMMUNITY_PERMISSIONS)).optional() })
      .strict(),
    response: roleSchema,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  createRole: endpoint({
    method: 'POST',
    path: '/api/communities/:id/roles',
    summary: 'Add a role (manage_roles); it ranks just above member unless rank is given, always below the caller',
    tag: 'membership',
    params: communityRef,
    body: z
      .object({
        name: z.string().trim().min(1).max(64),
        slug: roleSlugSchema.optional(),
        permissions: z.array(z.enum(COMMUNITY_PERMISSIONS)).default(['view']),
        rank: z.number().int().min(1).max(99).optional(),
      })
      .strict(),
    response: roleSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  reorderRoles: endpoint({
    method: 'PUT',
    path: '/api/communities/:id/roles/order',
    summary: 'Order the roles between owner and guest, highest first (manage_roles); ranks are reassigned',
    tag: 'membership',
    params: communityRef,
    body: z.object({ role_ids: z.array(z.number().int().positive()).min(1).max(50) }).strict(),
    response: z.object({ items: z.array(roleSchema) }),
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  deleteRole: endpoint({
    method: 'DELETE',
    path: '/api/communities/:id/roles/:roleId',
    summary: 'Delete a role that is not a default one (manage_roles); its members become members',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), roleId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  createInvite: endpoint({
    method: 'POST',
    path: '/api/communities/:id/invites',
    summary:
      'Create an invite link; it works only while its creator may still make links there (ban, kick, leaving or a lost permission end it)',
    tag: 'membership',
    params: communityRef,
    body: z
      .object({ expires_in_hours: z.number().int().min(1).max(8760).optional(), max_uses: z.number().int().min(1).max(10_000).optional() })
      .strict(),
    response: inviteSchema,
    status: 201,
    errors: ['forbidden', 'not_found'],
  }),
  invites: endpoint({
    method: 'GET',
    path: '/api/communities/:id/invites',
    summary: 'Invite links of a community',
    tag: 'membership',
    params: communityRef,
    response: z.object({ items: z.array(inviteSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  revokeInvite: endpoint({
    method: 'DELETE',
    path: '/api/communities/:id/invites/:inviteId',
    summary: 'Revoke an invite link',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), inviteId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  invitePreview: endpoint({
    method: 'GET',
    path: '/api/communities/invites/:token',
    summary: 'What an invite link leads to (hidden communities included, for its holder)',
    tag: 'membership',
    params: z.object({ token: z.string().min(10).max(100) }).strict(),
    response: z.object({ community: communityCardSchema, valid: z.boolean() }),
    errors: ['not_found'],
  }),
  courses: endpoint({
    method: 'GET',
    path: '/api/communities/:id/courses',
    summary: 'Courses, bundles and live classes linked to a community',
    tag: 'courses',
    params: communityRef,
    response: z.object({ items: z.array(courseLinkSchema) }),
    errors: ['not_found'],
  }),
  linkCourse: endpoint({
    method: 'POST',
    path: '/api/communities/:id/courses',
    summary: 'Link a course, bundle or live class (its instructors and admins only); auto_join makes its students members',
    tag: 'courses',
    params: communityRef,
    body: wizardStepSchemas.courses.shape.links.element,
    response: courseLinkSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  unlinkCourse: endpoint({
    method: 'DELETE',
    path: '/api/communities/:id/courses/:linkId',
    summary: 'Remove a course link',
    tag: 'courses',
    params: z.object({ id: z.string().min(1).max(80), linkId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  forCourse: endpoint({
    method: 'GET',
    path: '/api/courses/:id/communities',
    summary:
      'Communities linked to a RocketLMS course that the caller may see ("Go to community"); the course by id or by its /course/{slug}',
    tag: 'courses',
    params: z
      .object({
        id: z
          .union([
            idNum,
            z
              .string()
              .min(1)
              .max(255)
              .regex(/^[^/?#]+$/),
          ])
          .describe('the course id, or its RocketLMS URL slug'),
      })
      .strict(),
    response: z.object({
      items: z.array(
        communityCardSchema.extend({ link_type: z.enum(COURSE_LINK_TYPES), url: z.string(), chat_url: z.string().nullable() }),
      ),
    }),
  }),
  tiers: endpoint({
    method: 'GET',
    path: '/api/communities/:id/tiers',
    summary: 'Pricing tiers',
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: communityRef,
    response: z.object({ items: z.array(tierSchema) }),
    errors: ['not_found'],
  }),
  createTier: endpoint({
    method: 'POST',
    path: '/api/communities/:id/tiers',
    summary: 'Add a pricing tier',
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: communityRef,
    body: tierInput,
    response: tierSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  updateTier: endpoint({
    method: 'PATCH',
    path: '/api/communities/:id/tiers/:tierId',
    summary: 'Change a pricing tier',
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: z.object({ id: z.string().min(1).max(80), tierId: idNum }).strict(),
    body: patchOf(tierInput),
    response: tierSchema,
    errors: ['forbidden', 'not_found'],
  }),
  sellableItems: endpoint({
    method: 'GET',
    path: '/api/communities/:id/tiers/sellable-items',
    summary:
      "RocketLMS items the caller may sell as a paid tier, for the tier editor's picker: their own courses, bundles and products (admins: any, and subscription plans), newest first, at most 50",
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: communityRef,
    query: z
      .object({
        type: z.enum(SOLD_ITEM_TYPES),
        q: z.string().trim().max(100).optional().describe('title (or slug) contains this, case-insensitive'),
      })
      .strict(),
    response: z.object({ items: z.array(sellableItemSchema).max(50) }),
    errors: ['forbidden', 'not_found'],
  }),
  grantTier: endpoint({
    method: 'POST',
    path: '/api/communities/:id/tiers/:tierId/grant',
    summary: 'Grant a tier to a user by hand (manual payment adapter)',
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: z.object({ id: z.string().min(1).max(80), tierId: idNum }).strict(),
    body: z.object({ user_id: z.number().int().positive(), expires_at: isoTime.optional() }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  checkPurchase: endpoint({
    method: 'POST',
    path: '/api/communities/:id/purchases/check',
    summary:
      "Check my purchase: reads the caller's RocketLMS sales for this community's tiers and linked courses now, instead of at the next sync",
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: communityRef,
    body: z.object({}).strict(),
    response: z.object({
      /** Tiers the caller holds now (active, or past due within the grace period). */
      active_tier_ids: z.array(z.number().int()),
      subscriptions: z.array(subscriptionSchema),
      /** The caller is a member after the check (a course purchase may have joined them). */
      member: z.boolean(),
    }),
    errors: ['not_found', 'rate_limited'],
  }),
  tierRevenue: endpoint({
    method: 'GET',
    path: '/api/communities/:id/revenue',
    summary:
      "Subscribers, their status and revenue by tier, for owners and members who may view analytics: revenue sums the RocketLMS sales that started or renewed each tier's subscriptions and still stand (refunded ones left out), in the school's currency",
    tag: 'pricing',
    feature: 'pricing_tiers',
    params: communityRef,
    response: tierRevenueSchema,
    errors: ['forbidden', 'not_found'],
  }),
  slugAvailability: endpoint({
    method: 'GET',
    path: '/api/communities/slug-availability',
    summary: 'Whether a slug is free (taken and reserved answer the same), with a free suggestion; for the wizard live check',
    tag: 'wizard',
    query: z.object({ slug: z.string().max(80) }).strict(),
    response: z.object({
      slug: z.string(),
      available: z.boolean(),
      reason: z.enum(['invalid', 'unavailable']).nullable(),
      suggestion: z.string().nullable(),
    }),
    errors: ['forbidden'],
  }),
  wizardDrafts: endpoint({
    method: 'GET',
    path: '/api/communities/wizard',
    summary: "The caller's unpublished wizard drafts, most recently changed first (resume)",
    tag: 'wizard',
    response: z.object({ items: z.array(wizardSchema.extend({ name: z.string(), updated_at: isoTime })) }),
  }),
  wizardCourses: endpoint({
    method: 'GET',
    path: '/api/communities/wizard/courses',
    summary: 'Courses and bundles the caller may link: those they teach, or any (searchable) for admins',
    tag: 'wizard',
    query: z.object({ q: z.string().trim().max(100).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }).strict(),
    response: z.object({
      items: z.array(
        z.object({
          id: z.number().int(),
          type: z.enum(['course', 'bundle']),
          title: z.string(),
          url: z.string().nullable(),
          image_url: z.string().nullable(),
        }),
      ),
    }),
    errors: ['forbidden'],
  }),
  wizardStart: endpoint({
    method: 'POST',
    path: '/api/communities/wizard',
    summary: 'Start the setup wizard: a draft community from its basics',
    tag: 'wizard',
    body: wizardStepSchemas.basics,
    response: wizardSchema,
    status: 201,
    errors: ['forbidden', 'conflict'],
  }),
  wizardGet: endpoint({
    method: 'GET',
    path: '/api/communities/wizard/:draftId',
    summary: "A draft's saved steps and what is missing (its owner only)",
    tag: 'wizard',
    params: z.object({ draftId: idNum }).strict(),
    response: wizardSchema,
    errors: ['not_found'],
  }),
  wizardStep: endpoint({
    method: 'PUT',
    path: '/api/communities/wizard/:draftId/steps/:step',
    summary: 'Save one step, validated on its own (basics, visibility, channels, pricing, courses)',
    tag: 'wizard',
    params: z.object({ draftId: idNum, step: z.enum(WIZARD_STEPS) }).strict(),
    body: z.record(z.string(), z.unknown()),
    response: wizardSchema,
    errors: ['not_found'],
  }),
  wizardPublish: endpoint({
    method: 'POST',
    path: '/api/communities/wizard/:draftId/publish',
    summary: 'Publish the draft: roles, channels, tiers and course links in one transaction',
    tag: 'wizard',
    params: z.object({ draftId: idNum }).strict(),
    response: communityDetailSchema,
    errors: ['not_found', 'conflict'],
  }),
} as const;
