/** IP addresses and CIDR ranges: the one parser and formatter of the compiler, the Kafka enforcer and the eBPF loader. Pure. */
export {
  parseIp, isIpAddress, familyOf, unmapIpv4, parseCidr, cidrOf, hostCidr, cidrContains, cidrHas, formatCidr, formatIp, canonicalIp, canonicalPeer, isUnspecified, localHostOf, formatHostPort, splitHostPort, ipBytes, ipFromBytes,
  type IpFamily, type IpAddress, type Cidr,
} from './ip.js';
