import { Screen } from '../../components/screen';

import { LeaderboardView } from './LeaderboardView';

export type LeaderboardScreenProps = Record<string, never>;

/** The site-wide leaderboard: points from every community, by week, month or all time. */
export function LeaderboardScreen() {
  return (
    <Screen name="communities.leaderboard" feature="leaderboard" testID="leaderboard-screen">
      <LeaderboardView community={null} communityId={null} />
    </Screen>
  );
}
