import { useMemo, type ReactNode } from 'react';
import { Linking, Platform, Text, View, type StyleProp, type TextStyle } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';
import { isSafeUrl, parseMarkdown, type Block, type Inline } from '../lib/markdown';

import { useStyles } from './use-styles';

const mono = Platform.select({ ios: 'Menlo', default: 'monospace' });

const make = (t: CommunitiesTheme) => ({
  blocks: { gap: 6 },
  strong: { fontWeight: '700' as const },
  em: { fontStyle: 'italic' as const },
  strike: { textDecorationLine: 'line-through' as const },
  code: { fontFamily: mono, fontSize: 13, backgroundColor: 'rgba(16, 24, 40, 0.06)', color: t.text },
  link: { color: t.primary, textDecorationLine: 'underline' as const },
  mention: { color: t.primary, fontWeight: '600' as const },
  mentionsMe: { backgroundColor: '#eef0ff' },
  codeBlock: { backgroundColor: 'rgba(16, 24, 40, 0.04)', borderRadius: 6, borderWidth: 1, borderColor: t.border, padding: 8 },
  codeBlockText: { fontFamily: mono, fontSize: 13, lineHeight: 18, color: t.text },
  quote: { borderLeftWidth: 3, borderLeftColor: t.border, paddingLeft: 10, gap: 6 },
  quoteText: { color: t.muted },
});

/** Only http(s) ever reaches Linking, even if a parse let something else through. */
function open(href: string) {
  if (isSafeUrl(href)) Linking.openURL(href).catch(() => undefined);
}

function Inlines({ items }: { items: Inline[] }) {
  const s = useStyles(make);
  const { me } = useAddon();
  return items.map((x, i) => {
    switch (x.kind) {
      case 'text':
        return x.text;
      case 'strong':
      case 'em':
      case 'strike':
        return (
          <Text key={i} style={s[x.kind]}>
            <Inlines items={x.children} />
          </Text>
        );
      case 'code':
        return (
          <Text key={i} style={s.code}>
            {x.text}
          </Text>
        );
      case 'link':
        return (
          <Text key={i} style={s.link} accessibilityRole="link" accessibilityHint={x.href} onPress={() => open(x.href)}>
            <Inlines items={x.children} />
          </Text>
        );
      default: {
        // People, roles and @everyone stand out; "you" (or everyone, which includes you) more so.
        const forMe = x.kind === 'everyone' || (x.kind === 'mention' && x.userId === me?.id);
        return (
          <Text key={i} style={[s.mention, forMe && s.mentionsMe]}>
            {x.text}
          </Text>
        );
      }
    }
  });
}

function Blocks({ blocks, style, suffix }: { blocks: Block[]; style?: StyleProp<TextStyle>; suffix?: ReactNode }) {
  const s = useStyles(make);
  return blocks.map((b, i) => {
    const last = i === blocks.length - 1;
    if (b.kind === 'paragraph')
      return (
        <Text key={i} style={style}>
          <Inlines items={b.children} />
          {last ? suffix : null}
        </Text>
      );
    const block =
      b.kind === 'code' ? (
        <View key={i} style={s.codeBlock} testID="md-code">
          <Text style={s.codeBlockText} selectable>
            {b.text}
          </Text>
        </View>
      ) : (
        <View key={i} style={s.quote} testID="md-quote">
          <Blocks blocks={b.children} style={[style, s.quoteText]} />
        </View>
      );
    // "(edited)" after a message that ends in a block goes on its own line.
    return last && suffix ? [block, <Text key="suffix">{suffix}</Text>] : block;
  });
}

/**
 * Post or message Markdown as React Native text: the safe subset only, links opened in the
 * browser (http and https), mentions highlighted (more so when they name the reader).
 */
export function RichText({
  source,
  style,
  suffix,
}: {
  source: string;
  style?: StyleProp<TextStyle>;
  /** Inline after the text, e.g. "(edited)". */
  suffix?: ReactNode;
}) {
  const s = useStyles(make);
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  if (blocks.length === 1 && blocks[0]!.kind === 'paragraph') return <Blocks blocks={blocks} style={style} suffix={suffix} />;
  return (
    <View style={s.blocks}>
      <Blocks blocks={blocks} style={style} suffix={suffix} />
    </View>
  );
}
