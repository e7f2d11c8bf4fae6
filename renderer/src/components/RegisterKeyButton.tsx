import { useState } from 'react';
import type { BridgeClient } from '../client/types';
import { Text, useT } from '../i18n';

type KeyValue = string | { env: string };

/** 256 random bits, base64url — the same form as `register-bridge keygen`. */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Makes a new register key for a native listener and shows it once, to be set on the register. With the desktop
 * keychain the key goes there when the settings are saved; without one the listener names an environment variable
 * instead, and the operator sets it to the key — the key is never written into the config file.
 */
export function RegisterKeyButton({
  client,
  listener,
  onKey,
}: {
  client: BridgeClient;
  listener: string;
  onKey(value: KeyValue): void;
}) {
  const t = useT();
  const [shown, setShown] = useState<{ key: string; env?: string } | undefined>();
  const generate = async (): Promise<void> => {
    const key = newKey();
    const state = await client.state().catch(() => undefined);
    if (state?.desktop?.keychain) {
      onKey(key);
      setShown({ key });
    } else {
      const env = `REGISTER_BRIDGE_KEY_${listener.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      onKey({ env });
      setShown({ key, env });
    }
  };
  return (
    <div className="register-key" data-testid="register-key">
      <button type="button" onClick={() => void generate()}>
        {t('registerKey.generate')}
      </button>
      {shown ? (
        <div role="status">
          <p>
            <Text
              k="registerKey.newKey"
              values={{ key: shown.key }}
              tags={{ code: <code className="mono" data-testid="register-key-value" /> }}
            />
          </p>
          <p className="hint">
            {shown.env ? t('registerKey.envHint', { env: shown.env }) : t('registerKey.keychainHint')}
          </p>
        </div>
      ) : null}
    </div>
  );
}
