import { useTranslation } from 'react-i18next';

import { useAddon } from './context';
import { buildMenu, type MenuItem } from './menu';
import { useNotificationUnread } from './state/queries/notifications';

/**
 * The menu for the host to render, with translated labels and the notifications entry's unread
 * badge (kept live); empty until the server's features are known.
 */
export function useCommunitiesMenu(): Array<MenuItem & { label: string }> {
  const { features, me } = useAddon();
  const { t } = useTranslation();
  const unread = useNotificationUnread(Boolean(features?.enabled && me));
  return buildMenu(features, { notifications: unread }).map((item) => ({ ...item, label: t(item.labelKey) }));
}

/** The unread notification count alone, for a host's own tab badge. */
export function useNotificationBadge(): number {
  const { features, me } = useAddon();
  return useNotificationUnread(Boolean(features?.enabled && me));
}
