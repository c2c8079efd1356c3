/** The config source that points a resource at the ADS stream it came from. */
import type { envoy } from '../../envoy-api/index.js';

export const ADS_CONFIG_SOURCE: envoy.config.core.v3.ConfigSource = { ads: {}, resource_api_version: 'V3' };
