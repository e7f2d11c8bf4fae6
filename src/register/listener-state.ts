import type { BridgeApi } from '../bridge/api';

/**
 * State a protocol keeps per listener, shared by all the listener's connections (registers often open a new
 * connection per operation), and separate per bridge (each test's service has its own). `create` makes it the first
 * time a listener asks.
 */
export function perListener<T>(create: () => T): (api: BridgeApi, listener: string) => T {
  const states = new WeakMap<BridgeApi, Map<string, T>>();
  return (api, listener) => {
    let byListener = states.get(api);
    if (!byListener) {
      byListener = new Map();
      states.set(api, byListener);
    }
    let s = byListener.get(listener);
    if (s === undefined) {
      s = create();
      byListener.set(listener, s);
    }
    return s;
  };
}
