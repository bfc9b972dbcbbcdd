import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { buildConnector } from 'undici';
import { type AddressClass, classifyAddress } from './address-class.ts';
import { ToolError } from './tool-types.ts';

/** Which non-public address classes a tool may reach; everything else is always refused. */
export interface NetworkPolicy {
  /** `allow_localhost`: loopback addresses and the name localhost. */
  allowLocalhost: boolean;
  /** `allow_private_network`: RFC 1918, unique local IPv6 and carrier-grade NAT ranges. */
  allowPrivateNetwork: boolean;
}

/** Resolves a host name to every address it has; tests pass a fake resolver, the runtime uses DNS. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true });

/** Why `address` may not be reached under `policy`, or undefined when it may. */
export function refusedAddressClass(address: string, policy: NetworkPolicy): AddressClass | undefined {
  return unlessAllowed(policy, classifyAddress(address));
}

// Names that reach the machine or the cloud's credential service without looking like an address.
const specialHostNames = new Map<string, AddressClass>([
  ['localhost', 'loopback'],
  ['metadata', 'cloud metadata'],
  ['metadata.google.internal', 'cloud metadata'],
  ['metadata.goog', 'cloud metadata'],
  ['instance-data', 'cloud metadata'],
  ['instance-data.ec2.internal', 'cloud metadata'],
  ['metadata.azure.internal', 'cloud metadata'],
  ['metadata.tencentyun.com', 'cloud metadata'],
]);

/**
 * Why the host of a URL may not be reached, judged before any connection: an IP literal by its
 * address class, a name by the list above. Other names are judged by their DNS answers on connect.
 */
export function refusedHostClass(host: string, policy: NetworkPolicy): AddressClass | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const addressClass = classifyAddress(name) ?? (name.endsWith('.localhost') ? 'loopback' : specialHostNames.get(name));
  return unlessAllowed(policy, addressClass);
}

/** `addressClass`, or undefined when the policy opens that class up. */
function unlessAllowed(policy: NetworkPolicy, addressClass: AddressClass | undefined): AddressClass | undefined {
  if (addressClass === 'loopback' && policy.allowLocalhost) return undefined;
  if ((addressClass === 'private' || addressClass === 'carrier-grade NAT') && policy.allowPrivateNetwork) {
    return undefined;
  }
  return addressClass;
}

/**
 * An undici connector that judges the address it actually connects to: the lookup hook refuses a
 * name with any disallowed answer before a socket opens, and the connected peer is checked again,
 * which also covers IP-literal hosts (they skip the lookup). Because the check happens per
 * connection, a DNS answer that changes between two requests (rebinding) cannot slip through.
 */
export function guardedConnector(options: {
  policy: NetworkPolicy;
  resolveHost: HostResolver;
  timeoutMs: number;
  /** undici's, passed in: the caller loads undici when a tool first makes a request. */
  buildConnector: typeof buildConnector;
}): buildConnector.connector {
  const connect = options.buildConnector({
    lookup: guardedLookup(options.policy, options.resolveHost),
    timeout: options.timeoutMs,
  });
  return (target, callback) => {
    connect(target, (err, socket) => {
      if (err) return callback(err, null);
      const peer = socket.remoteAddress ?? '';
      const addressClass = refusedAddressClass(peer, options.policy);
      if (addressClass) {
        socket.destroy();
        return callback(refusal(target.hostname, peer, addressClass), null);
      }
      callback(null, socket);
    });
  };
}

function guardedLookup(policy: NetworkPolicy, resolveHost: HostResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (answers) => {
        const addresses = answers.filter((answer) => !options.family || answer.family === options.family);
        for (const { address } of addresses) {
          const addressClass = refusedAddressClass(address, policy);
          // One bad answer refuses the name: a resolver mixing public and internal answers is an attack.
          if (addressClass) return callback(refusal(hostname, address, addressClass), '', 0);
        }
        const [first] = addresses;
        if (!first)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as (err: null, all: LookupAddress[]) => void)(null, addresses);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export function refusal(host: string, address: string, addressClass: AddressClass): ToolError {
  const where = host === address ? address : `${host} (${address})`;
  return new ToolError(
    'refused',
    `refused to connect to ${where}: ${addressClass} addresses are not allowed${hintFor(addressClass)}`,
  );
}

function hintFor(addressClass: AddressClass): string {
  if (addressClass === 'loopback') return '; the agent config can allow it with allow_localhost: true';
  if (addressClass === 'private' || addressClass === 'carrier-grade NAT') {
    return '; the agent config can allow it with allow_private_network: true';
  }
  return '';
}
