export { AccessDeniedError, assertCan, can, canEditOwn, effectiveStatus } from './engine';
export type {
  AccessContext,
  Action,
  Actor,
  ChannelFacts,
  CommunityFacts,
  Decision,
  DenyReason,
  DmFacts,
  MembershipFacts,
  RoleFacts,
  SiteSanctionFacts,
  TargetFacts,
} from './facts';
