export { AccessDeniedError, adminPermissionsOf, assertCan, can, canEditOwn, effectiveStatus, mayCreateCommunity } from './engine';
export type {
  AccessContext,
  Action,
  Actor,
  ChannelFacts,
  ChannelOverrideFacts,
  CommunityFacts,
  Decision,
  DenyReason,
  DmFacts,
  MembershipFacts,
  RoleFacts,
  SiteSanctionFacts,
  TargetFacts,
} from './facts';
