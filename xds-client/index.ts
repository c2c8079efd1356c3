/** The xDS client of sluice's own proxies: the Kafka enforcer and the node agent. */
export { SingleTypeAdsClient, type AdsUpdate, type AnyResource, type ApplyOutcome, type SingleTypeOptions } from './single-type.js';
