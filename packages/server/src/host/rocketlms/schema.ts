import type { Generated } from 'kysely';

/** The RocketLMS tables the adapter reads (and `notifications`, which it may insert into). Unix-second ints. */
export interface HostDatabase {
  users: {
    id: Generated<number>;
    full_name: string | null;
    username: string | null;
    email: string | null;
    role_name: string;
    role_id: number | null;
    avatar: string | null;
    status: string;
    ban: number;
    ban_start_at: number | null;
    ban_end_at: number | null;
    deleted_at: number | null;
    timezone: string | null;
    language: string | null;
    created_at: number;
  };
  roles: { id: Generated<number>; name: string; caption: string | null; is_admin: number; created_at: number };
  webinars: {
    id: Generated<number>;
    teacher_id: number;
    creator_id: number;
    type: string;
    slug: string;
    status: string;
    thumbnail: string | null;
    image_cover: string | null;
    price: number | null;
    private: number;
    deleted_at: number | null;
    created_at: number;
  };
  webinar_translations: { id: Generated<number>; webinar_id: number; locale: string; title: string };
  webinar_partner_teacher: { id: Generated<number>; webinar_id: number; teacher_id: number };
  bundles: {
    id: Generated<number>;
    teacher_id: number;
    creator_id: number;
    slug: string;
    status: string;
    thumbnail: string | null;
    image_cover: string | null;
    price: number | null;
    created_at: number;
  };
  bundle_translations: { id: Generated<number>; bundle_id: number; locale: string; title: string };
  bundle_webinars: { id: Generated<number>; bundle_id: number; webinar_id: number };
  sales: {
    id: Generated<number>;
    buyer_id: number;
    seller_id: number | null;
    order_id: number | null;
    webinar_id: number | null;
    bundle_id: number | null;
    subscribe_id: number | null;
    /** A store product's sale: its `product_orders` row (RocketLMS v1.5+). */
    product_order_id: number | null;
    type: string;
    payment_method: string | null;
    amount: number | null;
    manual_added: number;
    access_to_purchased_item: number;
    created_at: number;
    refund_at: number | null;
  };
  /** Store products (RocketLMS's shop): `creator_id` sells it; its page is /products/{slug}. */
  products: {
    id: Generated<number>;
    creator_id: number;
    type: string;
    slug: string;
    price: number | null;
    status: string;
    created_at: number;
    deleted_at?: number | null;
  };
  /** One bought product: `status` pending, waiting_delivery, shipped, success or canceled. */
  product_orders: {
    id: Generated<number>;
    product_id: number;
    seller_id: number | null;
    buyer_id: number;
    sale_id: number | null;
    status: string;
    quantity: number;
    created_at: number;
  };
  orders: { id: Generated<number>; user_id: number; status: string; amount: number | null; created_at: number };
  subscribes: { id: Generated<number>; days: number; usable_count: number; infinite_use: number; price: number | null; created_at: number };
  users_manual_purchase: { id: Generated<number>; user_id: number; webinar_id: number; created_at: number };
  certificates: {
    id: Generated<number>;
    student_id: number;
    webinar_id: number | null;
    bundle_id: number | null;
    type: string;
    created_at: number;
  };
  notifications: {
    id: Generated<number>;
    user_id: number | null;
    sender_id: number | null;
    group_id: number | null;
    title: string;
    message: string;
    sender: string;
    type: string;
    created_at: number;
  };
}
