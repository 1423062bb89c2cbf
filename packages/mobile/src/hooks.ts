import { useTranslation } from 'react-i18next';

import { useAddon } from './context';
import { buildMenu, type MenuItem } from './menu';

/** The menu for the host to render, with translated labels; empty until the server's features are known. */
export function useCommunitiesMenu(): Array<MenuItem & { label: string }> {
  const { features } = useAddon();
  const { t } = useTranslation();
  return buildMenu(features).map((item) => ({ ...item, label: t(item.labelKey) }));
}
