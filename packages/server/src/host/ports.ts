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
}

export interface HostPorts {
  identities: IdentityPort;
  courses: CoursePort;
  access: CourseAccessPort;
  completions: CompletionsPort;
  notifications: NotificationPort;
  ping(): Promise<void>;
  close(): Promise<void>;
}
