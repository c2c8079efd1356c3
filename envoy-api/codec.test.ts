import { describe, it, expect } from '@jest/globals';
import { encodeMessage, decodeMessage } from './index.js';

describe('envoy-api codec', () => {
  it('round-trips a Listener whose typed_config is an Any in JSON form', () => {
    const listener = {
      name: 'inbound',
      address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'inbound',
                http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
              },
            },
          ],
        },
      ],
    };
    const bytes = encodeMessage('envoy.config.listener.v3.Listener', listener);
    expect(bytes.length).toBeGreaterThan(100);
    expect(decodeMessage('envoy.config.listener.v3.Listener', bytes)).toEqual(listener);
  });
});
