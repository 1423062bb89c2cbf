/**
 * What the addon needs from the LMS, as small ports. Domains depend on these, never on the
 * host's tables; `rocketlms/` implements them over RocketLMS's MySQL tables (or the demo
 * school's copies of them).
 */
export type GlobalRole = 'admin' | 'instructor' | 'student';

export interface HostUser {
  id: number;
  name: string;
  username: string | null;
  email: string | null;
  /** Absolute URL, or null when the user has no avatar. */
  avatarUrl: string | null;
  roleName: string;
  globalRole: GlobalRole;
  isAdmin: boolean;
  state: 'active' | 'inactive' | 'pending' | 'banned' | 'deleted';
  locale: string | null;
  timezone: string | null;
}

export interface IdentityPort {
  getUsers(ids: readonly number[]): Promise<Map<number, HostUser>>;
  getUser(id: number): Promise<HostUser | null>;
  searchUsers(query: string, limit: number): Promise<HostUser[]>;
  /** The school's active administrators (roles.is_admin), e.g. to alert about an infected upload. */
  admins(limit: number): Promise<HostUser[]>;
}

export type CourseType = 'course' | 'bundle';

export interface HostCourse {
  id: number;
  /** webinar types: course, webinar (a live class), text_lesson; or bundle */
  type: 'course' | 'webinar' | 'text_lesson' | 'bundle';
  title: string;
  slug: string;
  /** Everyone who teaches it, as RocketLMS counts them: teacher_id, creator_id and partner teachers. */
  teacherIds: number[];
  url: string;
  imageUrl: string | null;
  status: string;
  price: number | null;
}

export interface CoursePort {
  getCourses(refs: ReadonlyArray<{ type: CourseType; id: number }>, locale?: string): Promise<HostCourse[]>;
  searchCourses(query: string, limit: number, locale?: string): Promise<HostCourse[]>;
  /** The course (not bundle) with this URL slug, as in /course/{slug}; null when none. */
  courseIdBySlug(slug: string): Promise<number | null>;
  /** Courses and bundles the user teaches (teacher, creator or partner teacher), newest first. */
  coursesTaughtBy(userId: number, limit: number, locale?: string): Promise<HostCourse[]>;
}

export interface Enrolment {
  userId: number;
  courseId: number;
  /** Unix seconds, as the host stores it */
  at: number;
  source: 'sale' | 'manual';
}

export interface CourseAccessPort {
  hasCourse(userId: number, courseId: number): Promise<boolean>;
  userCourseIds(userId: number): Promise<number[]>;
  /** New enrolments after `cursor`, oldest first; bundle sales expand to their courses. */
  enrolmentsSince(cursor: string | null, limit: number): Promise<{ items: Enrolment[]; cursor: string | null }>;
}

export interface Completion {
  userId: number;
  courseId: number;
  completedAt: number;
}

export interface CompletionsPort {
  completionsSince(cursor: string | null, limit: number): Promise<{ items: Completion[]; cursor: string | null }>;
}

export interface HostNotification {
  userId: number;
  title: string;
  message: string;
  type?: string;
  data?: Record<string, unknown>;
}

export interface NotificationPort {
  notify(n: HostNotification): Promise<void>;
  /** Many at once, in few statements (optional: callers fall back to notify). */
  notifyMany?(ns: HostNotification[]): Promise<void>;
}

/** A RocketLMS item a paid tier is sold as. */
export type SoldItemType = 'course' | 'bundle' | 'subscribe' | 'product';
export interface SoldItem {
  type: SoldItemType;
  id: number;
}

/** A RocketLMS item a tier may be sold as, for the tier editor's picker. */
export interface SellableItem extends SoldItem {
  title: string;
  /** Its RocketLMS page (where it is bought). */
  url: string;
}

export interface SellableFilter {
  type: SoldItemType;
  /** Only items this user sells (courses and bundles they teach, products they created); null: anyone's. Plans have no seller. */
  sellerId: number | null;
  /** Title (or slug) contains this, case-insensitive. */
  query?: string;
  /** Only these ids. */
  ids?: readonly number[];
  limit: number;
}

export interface HostSale {
  id: number;
  orderId: number | null;
  userId: number;
  item: SoldItem;
  /** Unix seconds */
  at: number;
  /**
   * The sale gives access now, as RocketLMS decides it: not refunded, `access_to_purchased_item`
   * set, and its order paid (or added by hand, or without an order).
   */
  valid: boolean;
  /** What the buyer paid (`sales.amount`), in the school's currency's major units (RocketLMS stores decimals). */
  amount: number;
  /** Unix seconds when the subscription plan behind it runs out (a plan sale, or a sale paid with a plan); null: none. */
  planEndsAt: number | null;
}

export interface PurchasesPort {
  /** Sales of these items with an id above `afterId`, oldest first; `cursor` is the last sale id looked at. */
  salesSince(afterId: number, items: readonly SoldItem[], limit: number): Promise<{ items: HostSale[]; cursor: number }>;
  /** These sales as they are now (a refund or a withdrawn access shows as `valid: false`); missing ones are left out. */
  salesByIds(ids: readonly number[]): Promise<HostSale[]>;
  /** One user's sales of these items, oldest first. */
  userSales(userId: number, items: readonly SoldItem[]): Promise<HostSale[]>;
  /** RocketLMS's page where the item is bought (its Buy button and cart); null when the item does not exist. */
  checkoutUrl(item: SoldItem): Promise<string | null>;
  /** Items of one type that exist now (not deleted), newest first, filtered by seller, title and ids. */
  sellableItems(f: SellableFilter): Promise<SellableItem[]>;
}

export interface HostPorts {
  identities: IdentityPort;
  courses: CoursePort;
  access: CourseAccessPort;
  completions: CompletionsPort;
  notifications: NotificationPort;
  purchases: PurchasesPort;
  ping(): Promise<void>;
  close(): Promise<void>;
}
