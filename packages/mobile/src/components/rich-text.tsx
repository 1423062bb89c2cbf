import { richTextTree } from '@communities/client';
import { safeLink, type RichBlock, type RichInline } from '@communities/contract';
import { useMemo, type ReactNode } from 'react';
import { Linking, Platform, StyleSheet, Text, View, type StyleProp, type TextStyle } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

const mono = Platform.select({ ios: 'Menlo', default: 'monospace' });
const BULLET = '\u2022';

const make = (t: CommunitiesTheme) =>
  StyleSheet.create({
    blocks: { gap: 6 },
    strong: { fontWeight: '700' },
    em: { fontStyle: 'italic' },
    strike: { textDecorationLine: 'line-through' },
    code: { fontFamily: mono, fontSize: 13, backgroundColor: 'rgba(16, 24, 40, 0.06)', color: t.text },
    link: { color: t.primary, textDecorationLine: 'underline' },
    mention: { color: t.primary, fontWeight: '600' },
    mentionsMe: { backgroundColor: '#eef0ff' },
    codeBlock: { backgroundColor: 'rgba(16, 24, 40, 0.04)', borderRadius: 6, borderWidth: 1, borderColor: t.border, padding: 8 },
    codeBlockText: { fontFamily: mono, fontSize: 13, lineHeight: 18, color: t.text },
    quote: { borderStartWidth: 3, borderStartColor: t.border, paddingStart: 10, gap: 6 },
    quoteText: { color: t.muted },
    list: { gap: 4 },
    item: { flexDirection: 'row', gap: 6 },
    itemBody: { flex: 1, gap: 4 },
  });

type Styles = ReturnType<typeof make>;

/**
 * Opens a link with the shared policy (checked again here, whatever tree we were given):
 * http(s) and mailto as they are, the addon's own paths on the addon's server.
 */
export function linkUrl(href: string, baseUrl: string): string | null {
  const link = safeLink(href);
  if (!link) return null;
  return link.kind === 'external' ? link.href : `${baseUrl.replace(/\/+$/, '')}${link.href}`;
}

interface ViewProps {
  doc: readonly RichBlock[];
  theme: CommunitiesTheme;
  /** The reader, whose mentions stand out more. */
  meId?: number | null;
  /** Where internal links (/communities/..., /dm/...) open. */
  baseUrl: string;
  style?: StyleProp<TextStyle>;
  /** Inline after the text, e.g. "(edited)". */
  suffix?: ReactNode;
}

function Inlines({
  nodes,
  s,
  meId,
  baseUrl,
}: {
  nodes: readonly RichInline[];
  s: Styles;
  meId?: number | null;
  baseUrl: string;
}): ReactNode {
  return nodes.map((n, i) => {
    switch (n.type) {
      case 'text':
        return n.text;
      case 'break':
        return '\n';
      case 'strong':
      case 'em':
      case 'strike':
        return (
          <Text key={i} style={s[n.type]}>
            <Inlines nodes={n.children} s={s} meId={meId} baseUrl={baseUrl} />
          </Text>
        );
      case 'code':
        return (
          <Text key={i} style={s.code}>
            {n.text}
          </Text>
        );
      case 'link': {
        const url = linkUrl(n.href, baseUrl);
        const label = <Inlines nodes={n.children} s={s} meId={meId} baseUrl={baseUrl} />;
        if (!url) return <Text key={i}>{label}</Text>;
        return (
          <Text
            key={i}
            style={s.link}
            accessibilityRole="link"
            accessibilityHint={url}
            onPress={() => void Linking.openURL(url).catch(() => undefined)}
          >
            {label}
          </Text>
        );
      }
      default: {
        // People, roles and @everyone stand out; "you" (or everyone, which includes you) more so.
        const forMe = n.type === 'everyone' || (n.type === 'mention' && n.userId === meId);
        return (
          <Text key={i} testID={`md-${n.type}`} style={[s.mention, forMe && s.mentionsMe]}>
            {n.text}
          </Text>
        );
      }
    }
  });
}

function Blocks({
  blocks,
  s,
  props,
  suffix,
}: {
  blocks: readonly RichBlock[];
  s: Styles;
  props: ViewProps;
  suffix?: ReactNode;
}): ReactNode {
  const { style, meId, baseUrl } = props;
  return blocks.map((b, i) => {
    const last = i === blocks.length - 1;
    if (b.type === 'paragraph')
      return (
        <Text key={i} style={style}>
          <Inlines nodes={b.children} s={s} meId={meId} baseUrl={baseUrl} />
          {last ? suffix : null}
        </Text>
      );
    let block: ReactNode;
    if (b.type === 'code_block')
      block = (
        <View key={i} style={s.codeBlock} testID="md-code">
          <Text style={s.codeBlockText} selectable>
            {b.text}
          </Text>
        </View>
      );
    else if (b.type === 'quote')
      block = (
        <View key={i} style={s.quote} testID="md-quote">
          <Blocks blocks={b.children} s={s} props={{ ...props, style: [style, s.quoteText] }} />
        </View>
      );
    else
      block = (
        <View key={i} style={s.list} testID="md-list">
          {b.items.map((item, j) => (
            <View key={j} style={s.item}>
              <Text style={style} testID="md-bullet" accessibilityElementsHidden importantForAccessibility="no">
                {b.ordered ? `${b.start + j}.` : BULLET}
              </Text>
              <View style={s.itemBody}>
                <Blocks blocks={item} s={s} props={props} />
              </View>
            </View>
          ))}
        </View>
      );
    // "(edited)" after a message that ends in a block goes on its own line.
    return last && suffix ? [block, <Text key="suffix">{suffix}</Text>] : block;
  });
}

/** An already parsed rich-text tree as React Native elements. */
export function RichTextView(props: ViewProps) {
  const s = useMemo(() => make(props.theme), [props.theme]);
  const { doc, suffix } = props;
  if (doc.length === 1 && doc[0]!.type === 'paragraph') return <Blocks blocks={doc} s={s} props={props} suffix={suffix} />;
  return (
    <View style={s.blocks}>
      <Blocks blocks={doc} s={s} props={props} suffix={suffix} />
    </View>
  );
}

/**
 * Post, comment or message Markdown as React Native elements: the contract's rich-text tree,
 * links opened by the shared policy, mentions highlighted (more so when they name the reader).
 */
export function RichText({ source, style, suffix }: { source: string; style?: StyleProp<TextStyle>; suffix?: ReactNode }) {
  const { theme, me, config } = useAddon();
  const doc = richTextTree(source); // parsed once per text, across rows and re-renders
  return <RichTextView doc={doc} theme={theme} meId={me?.id} baseUrl={config.baseUrl} style={style} suffix={suffix} />;
}
