import { CourseLinkService } from './course-links';
import type { CommunityDeps } from './deps';
import { FactsLoader } from './facts';
import { FeedService } from './feed/service';
import { MembershipService } from './membership';
import { PricingService } from './pricing';
import { CommunityService } from './service';
import { WizardService } from './wizard';

export interface CommunityServices {
  facts: FactsLoader;
  communities: CommunityService;
  membership: MembershipService;
  courses: CourseLinkService;
  pricing: PricingService;
  wizard: WizardService;
  feed: FeedService;
}

export function createCommunityServices(ctx: CommunityDeps): CommunityServices {
  const facts = new FactsLoader(ctx.db.db, ctx.clock, {
    communities: ctx.config.communities,
    pricingOn: ctx.config.features.pricing_tiers && ctx.config.pricing.enable_per_community_subscriptions,
    writes: ctx.db.factsWrites,
  });
  const communities = new CommunityService(ctx, facts, ctx.revoker);
  const courses = new CourseLinkService(ctx, facts, communities);
  const pricing = new PricingService(ctx, facts, ctx.revoker);
  return {
    facts,
    communities,
    membership: new MembershipService(ctx, facts),
    courses,
    pricing,
    wizard: new WizardService(ctx, facts, communities, courses, pricing),
    feed: new FeedService(ctx, facts),
  };
}
