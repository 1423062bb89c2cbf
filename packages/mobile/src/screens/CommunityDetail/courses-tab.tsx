import { useTranslation } from 'react-i18next';
import { FlatList, Pressable, Text, View } from 'react-native';

import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useCoursesQuery } from '../../state/queries/communities';

const make = (t: CommunitiesTheme) => ({
  row: {
    padding: 14,
    marginHorizontal: 12,
    marginVertical: 6,
    borderRadius: 12,
    backgroundColor: t.surface,
    borderWidth: 1,
    borderColor: t.border,
  },
  title: { fontSize: 15, fontWeight: '600' as const, color: t.text },
  meta: { fontSize: 12, color: t.muted, marginTop: 2 },
});

export function CoursesTab({
  communityId,
  onOpenCourse,
}: {
  communityId: string;
  onOpenCourse?: (course: { id: number; url: string | null }) => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const query = useCoursesQuery(communityId);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <FlatList
      testID="course-list"
      data={query.data.items}
      keyExtractor={(c) => String(c.id)}
      ListEmptyComponent={<Empty text={t('courses.empty')} />}
      renderItem={({ item }) => (
        <Pressable style={s.row} onPress={() => onOpenCourse?.({ id: item.course_id, url: item.url })} accessibilityRole="button">
          <View>
            <Text style={s.title}>{item.title}</Text>
            <Text style={s.meta}>
              {t(`wizard.course_type_${item.course_type}`)}
              {item.link_type === 'primary' ? ` · ${t('wizard.link_primary')}` : ''}
            </Text>
          </View>
        </Pressable>
      )}
    />
  );
}
