/**
 * Outbound: the leg to the destination leaves from the workload's own address, so a workload of
 * this node it calls sees (and its ingress rules judge) who is calling.
 */
import { MESSAGES, typed } from '../../../envoy-api/index.js';
import type { FeatureTranslator } from '../feature.js';

export const ORIGINAL_SRC_FEATURE: FeatureTranslator = {
  name: "original source: the outbound listener's upstream leg keeps the workload's address",
  listenerFilters: ({ direction }) => (direction === 'outbound' ? [{ position: 'original-src', value: { name: 'envoy.filters.listener.original_src', typed_config: typed(MESSAGES.originalSrc) } }] : []),
};
