export { ipv4ToNumber, networkContains, parseCidr, specialAddressKind, type Ipv4Network } from "./cidr.js";
