/**
 * Which peers may connect to a register listener: the addresses (or IPv4/IPv6 subnets, "192.168.1.0/24") in its
 * `peers` list, or — when the listener has no list and no authentication — loopback only. A listener with keys or
 * a ZVT password and no list takes any peer: the secret decides.
 */
import { BlockList, isIP } from 'node:net';
import { coreText, type CoreText } from '../i18n/say';
import { peerAddress } from './auth-throttle';

export interface PeerPolicy {
  /** True when the peer ("tcp 10.0.0.5:51234") may connect. Devices (serial, HID) are always local. */
  allows(peer: string): boolean;
  /** The rule in words, for the log line of a refused peer. */
  readonly description: string;
  /** Why a peer at this address was refused, as a coded text (the detail of its security event). */
  refusal(address: string): CoreText;
}

/** Whether an entry is an address or a subnet the list understands; the coded text says what is wrong otherwise. */
export function peerEntryText(entry: string): CoreText | undefined {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return coreText('config.peerNotAddress', { entry });
  if (bits !== undefined) {
    const n = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || n > (family === 4 ? 32 : 128)) return coreText('config.peerPrefix', { entry });
  }
  return undefined;
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

export function peerPolicy(peers: readonly string[] | undefined, authenticated: boolean): PeerPolicy | undefined {
  if (peers === undefined || peers.length === 0) {
    if (authenticated) return undefined;
    return {
      description: 'loopback only (the listener has no "peers" list)',
      refusal: (address) => coreText('security.peerNotLoopback', { address }),
      allows: (peer) => !peer.startsWith('tcp ') || isLoopbackAddress(peerAddress(peer)),
    };
  }
  const list = new BlockList();
  for (const entry of peers) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    description: `the listener's "peers" list (${peers.join(', ')})`,
    refusal: (address) => coreText('security.peerNotListed', { address, peers: peers.join(', ') }),
    allows: (peer) => {
      if (!peer.startsWith('tcp ')) return true;
      const address = peerAddress(peer);
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
