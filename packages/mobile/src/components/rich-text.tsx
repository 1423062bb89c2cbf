import type { ReactNode } from 'react';
import { Text, type StyleProp, type TextStyle } from 'react-native';

import { useAddon } from '../context';
import { segments } from '../lib/markdown';

/** Message or post Markdown as text, with mentions highlighted (and "you" when it is the reader). */
export function RichText({
  source,
  style,
  numberOfLines,
  suffix,
}: {
  source: string;
  style?: StyleProp<TextStyle>;
  numberOfLines?: number;
  /** Inline after the text, e.g. "(edited)". */
  suffix?: ReactNode;
}) {
  const { theme, me } = useAddon();
  return (
    <Text style={style} numberOfLines={numberOfLines}>
      {segments(source).map((seg, i) =>
        seg.kind === 'text' ? (
          seg.text
        ) : (
          <Text
            key={i}
            style={{
              color: theme.primary,
              fontWeight: '600',
              backgroundColor: seg.kind === 'mention' && seg.userId === me?.id ? '#eef0ff' : undefined,
            }}
          >
            {seg.text}
          </Text>
        ),
      )}
      {suffix}
    </Text>
  );
}
