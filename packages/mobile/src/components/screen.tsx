import type { FeatureName } from '@communities/contract';
import { textDirection } from '@communities/contract/i18n';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

import { Empty, ErrorState, Loading } from './states';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({ root: { flex: 1, backgroundColor: t.background } });

/**
 * The frame of every screen: reports the screen view to the host's analytics and hides the
 * screen when the server has switched its feature off.
 */
export function Screen({
  name,
  feature,
  params,
  children,
  testID,
}: {
  name: string;
  feature?: FeatureName;
  params?: Record<string, unknown>;
  children: ReactNode;
  testID?: string;
}) {
  const { features, featuresError, refetchFeatures, track } = useAddon();
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  // Arabic and other right-to-left languages lay the screen out from the right even when the host app is LTR.
  const direction = textDirection(i18n.language);
  const paramsKey = JSON.stringify(params ?? {});
  useEffect(() => {
    track('screen_view', name, JSON.parse(paramsKey) as Record<string, unknown>);
  }, [track, name, paramsKey]);
  let body: ReactNode = children;
  if (!features) body = featuresError ? <ErrorState error={featuresError} onRetry={refetchFeatures} /> : <Loading />;
  else if (!features.enabled || (feature && !features.features[feature])) body = <Empty text={t('errors.feature_off')} />;
  return (
    <View style={[s.root, { direction }]} testID={testID}>
      {body}
    </View>
  );
}
