/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcloud_vpc: the VPC overlay switch; generic netlink API.
 *
 * Family name: KCLOUD_VPC_GENL_NAME ("kcloud_vpc"), version
 * KCLOUD_VPC_GENL_VERSION. Every network namespace is its own switch: a
 * request acts on the switch of the namespace of the socket it came from.
 *
 * Commands that change state need CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM); they fail with -EPERM
 * otherwise. Every rejected request carries an extended ack message that
 * names the attribute at fault. IPv4 addresses are NLA_U32 in network byte
 * order; all other integers are in host byte order.
 *
 * Objects
 * -------
 * VPC: a private network. It has an id chosen by the kernel, a name (unique
 * in the switch), a VNI (the Geneve network identifier, unique in the
 * switch; the same VPC has the same VNI on every host) and a CIDR (/8 to
 * /28). Two VPCs may have overlapping CIDRs: their traffic never meets.
 *
 * Subnet: a CIDR inside its VPC's CIDR (/16 to /28), not overlapping another
 * subnet of that VPC. As in AWS, five addresses are reserved: the network
 * address, +1 (the gateway: the switch answers ARP for it with the gateway
 * MAC KCLOUD_VPC_GW_MAC and routes what is sent to that MAC), +2 (DNS, told
 * to guests by DHCP), +3, and the broadcast address.
 *
 * Port: an existing Ethernet netdev (a veth end or a tap) of the caller's
 * namespace, attached to the switch: everything it receives goes through the
 * switch (the netdev's rx_handler), nothing reaches the host's stack. A port
 * has the MAC and the IPv4 address of its guest; its subnet is the subnet of
 * the VPC that holds the address. With the source/destination check on (the
 * default), a frame whose source MAC or source IPv4 address is not the
 * port's is dropped (KCLOUD_VPC_DROP_SPOOF_MAC, _SPOOF_IP).
 *
 * Mapping: a guest address on another host: (VPC, IPv4 address) -> MAC and
 * the underlay IPv4 address of the host that has it. Its traffic is
 * sent there in Geneve (VNI = the VPC's); traffic from it is accepted only
 * from that underlay address.
 *
 * Host: the switch's underlay: the local IPv4 address, the UDP port of the
 * Geneve tunnel socket (default KCLOUD_VPC_GENEVE_PORT) and the underlay MTU
 * (default 1500). The guest MTU is the underlay MTU less
 * KCLOUD_VPC_OVERHEAD (outer IPv4, UDP, Geneve and inner Ethernet headers).
 *
 * Datapath
 * --------
 * - ARP requests from a port are answered by the switch, never flooded: for
 *   the subnet's gateway (KCLOUD_VPC_GW_MAC), for an address of the same
 *   subnet (its MAC), for an address of another subnet of the VPC (the
 *   gateway MAC). Any other target is dropped (KCLOUD_VPC_DROP_ARP_UNKNOWN).
 * - DHCP DISCOVER and REQUEST from a port are answered by the switch with
 *   the port's address, the subnet mask, the gateway as router, the guest
 *   MTU and the DNS server (VPC base + 2).
 * - IPv4 to a known address of the VPC is forwarded: switched as is inside a
 *   subnet (destination MAC = the target's), routed between subnets
 *   (destination MAC = the gateway MAC; the TTL is decremented, an expiring
 *   packet gets ICMP time exceeded from the gateway). A packet larger than
 *   the guest MTU is dropped; with DF set the sender gets ICMP fragmentation
 *   needed with the guest MTU.
 * - Dropped and counted: broadcast and multicast (other than ARP and DHCP),
 *   other ethertypes (IPv6 included), malformed headers, IPv4 options,
 *   IPv4 fragments, unknown destinations.
 * - Between hosts, Geneve (UDP, outer checksum zero) keeps the offloads:
 *   a guest's TSO/GSO packet is encapsulated whole (SKB_GSO_UDP_TUNNEL),
 *   segmented by the underlay NIC or in software; received Geneve frames
 *   of one flow are merged by the tunnel socket's GRO before they are
 *   decapsulated, so a guest receives full-size TCP segments.
 *
 * Scale
 * -----
 * Every lookup, on the datapath and when configuring, is by hash or radix
 * tree, never a walk of a list: addresses (ports and mappings) in a hash
 * table per switch, VPCs by id, VNI and name, subnets by id and by address
 * (a radix tree per VPC), ports by ifindex. Tested: 100,000 mappings and
 * 4,096 ports on one host. Only dumps visit every object.
 *
 * Commands
 * --------
 * KCLOUD_VPC_CMD_GET_INFO (do)
 *   Request: no attributes.
 *   Reply:
 *     KCLOUD_VPC_A_INFO_VERSION   NLA_NUL_STRING  module version, "X.Y.Z"
 *     KCLOUD_VPC_A_INFO_FEATURES  NLA_U64         KCLOUD_VPC_F_* bits that
 *                                                 this module implements
 *
 * A VPC is named in a request by KCLOUD_VPC_A_VPC_ID or, if that is absent,
 * by KCLOUD_VPC_A_NAME.
 *
 * KCLOUD_VPC_CMD_ADD_VPC (do, admin)
 *   Request: NAME, VNI, ADDR and PREFIXLEN (the CIDR; host bits zero).
 *   Reply: the new VPC, as GET_VPC gives it. -EEXIST if the name or the VNI
 *   is taken.
 * KCLOUD_VPC_CMD_DEL_VPC (do, admin)
 *   Request: the VPC. -EBUSY while it has subnets.
 * KCLOUD_VPC_CMD_SET_VPC (do, admin)
 *   Request: VPC_ID; NAME (renames it).
 * KCLOUD_VPC_CMD_GET_VPC (do, dump)
 *   Request (do): the VPC. Reply: VPC_ID, NAME, VNI, ADDR, PREFIXLEN.
 *
 * A subnet is named by KCLOUD_VPC_A_SUBNET_ID or by its VPC plus ADDR and
 * PREFIXLEN.
 *
 * KCLOUD_VPC_CMD_ADD_SUBNET (do, admin)
 *   Request: the VPC, ADDR, PREFIXLEN, optional NAME.
 *   Reply: the new subnet.
 * KCLOUD_VPC_CMD_DEL_SUBNET (do, admin)
 *   Request: the subnet. -EBUSY while ports or mappings are in it.
 * KCLOUD_VPC_CMD_SET_SUBNET (do, admin)
 *   Request: the subnet; NAME.
 * KCLOUD_VPC_CMD_GET_SUBNET (do, dump)
 *   Request (do): the subnet; (dump) optionally VPC_ID to filter.
 *   Reply: SUBNET_ID, VPC_ID, NAME, ADDR, PREFIXLEN, GATEWAY.
 *
 * A port is named by KCLOUD_VPC_A_IFINDEX or KCLOUD_VPC_A_IFNAME.
 *
 * KCLOUD_VPC_CMD_ADD_PORT (do, admin)
 *   Request: the netdev, the VPC, MAC, ADDR (an unreserved address of one
 *   of its subnets, not used by another port or mapping), optional
 *   SRC_DST_CHECK (u8, default 1). -EBUSY if the netdev already has a
 *   receive handler (another port, a bridge, a bond...).
 *   Reply: the new port.
 * KCLOUD_VPC_CMD_DEL_PORT (do, admin)
 *   Request: the port. A port is also removed when its netdev goes away.
 * KCLOUD_VPC_CMD_SET_PORT (do, admin)
 *   Request: the port; SRC_DST_CHECK.
 * KCLOUD_VPC_CMD_GET_PORT (do, dump)
 *   Reply: IFINDEX, IFNAME, VPC_ID, SUBNET_ID, MAC, ADDR, SRC_DST_CHECK,
 *   STATS (from the port: rx is what the guest sent, tx what it was given).
 *
 * A mapping is named by its VPC and ADDR.
 *
 * KCLOUD_VPC_CMD_ADD_MAPPING (do, admin)
 *   Request: the VPC, ADDR (an unreserved address of one of its subnets),
 *   MAC, UNDERLAY (the remote host's underlay address).
 * KCLOUD_VPC_CMD_DEL_MAPPING (do, admin)
 *   Request: the mapping. Its traffic stops at once.
 * KCLOUD_VPC_CMD_SET_MAPPING (do, admin)
 *   Request: the mapping; MAC and/or UNDERLAY (the guest moved).
 * KCLOUD_VPC_CMD_GET_MAPPING (do, dump)
 *   Request (dump): optionally VPC_ID to filter.
 *   Reply: VPC_ID, SUBNET_ID, ADDR, MAC, UNDERLAY.
 *
 * KCLOUD_VPC_CMD_ADD_HOST (do, admin)
 *   Request: ADDR (local underlay address), optional UDP_PORT, MTU. Opens
 *   the tunnel socket. -EEXIST if the host is already set up.
 * KCLOUD_VPC_CMD_SET_HOST (do, admin)
 *   As ADD_HOST, on an existing host: changes what is given.
 * KCLOUD_VPC_CMD_DEL_HOST (do, admin)
 *   Closes the tunnel socket: remote traffic is dropped
 *   (KCLOUD_VPC_DROP_NO_UNDERLAY).
 * KCLOUD_VPC_CMD_GET_HOST (do)
 *   Reply: ADDR, UDP_PORT, MTU, GUEST_MTU (when a host is set up) and
 *   STATS of the whole switch (always).
 *
 * Notifications: every successful ADD_*, DEL_* and SET_* is sent to the
 * KCLOUD_VPC_MCGRP_CONFIG multicast group with that command and the object
 * in the format GET_* uses.
 *
 * Statistics (KCLOUD_VPC_A_STATS, nested KCLOUD_VPC_STATS_A_*, all NLA_U64):
 * RX_PACKETS/RX_BYTES (frames received from ports), TX_PACKETS/TX_BYTES
 * (frames given to ports), TUNNEL_RX_PACKETS/TUNNEL_TX_PACKETS (Geneve
 * packets decapsulated/sent; switch only), DROPS (nested: attribute type =
 * enum kcloud_vpc_drop, value = count; only reasons with a non-zero count).
 */
#ifndef _UAPI_LINUX_KCLOUD_VPC_H
#define _UAPI_LINUX_KCLOUD_VPC_H

#define KCLOUD_VPC_GENL_NAME	"kcloud_vpc"
#define KCLOUD_VPC_GENL_VERSION	1
#define KCLOUD_VPC_MCGRP_CONFIG	"config"

#define KCLOUD_VPC_NAME_LEN	32	/* with the NUL */
#define KCLOUD_VPC_GENEVE_PORT	6081
#define KCLOUD_VPC_OVERHEAD	50	/* IPv4 20 + UDP 8 + Geneve 8 + Ethernet 14 */
/* The MAC of every subnet gateway: 02:6b:63:00:00:01 (locally administered). */
#define KCLOUD_VPC_GW_MAC	{ 0x02, 0x6b, 0x63, 0x00, 0x00, 0x01 }

/* Features reported by KCLOUD_VPC_CMD_GET_INFO. */
enum kcloud_vpc_feature {
	KCLOUD_VPC_F_INFO = 1ULL << 0,		/* GET_INFO: always set */
	KCLOUD_VPC_F_OBJECTS = 1ULL << 1,	/* VPC, subnet, port, mapping, host */
	KCLOUD_VPC_F_DATAPATH = 1ULL << 2,	/* ARP, switching, routing */
	KCLOUD_VPC_F_DHCP = 1ULL << 3,		/* DHCP server */
	KCLOUD_VPC_F_GENEVE = 1ULL << 4,	/* Geneve between hosts */
};

enum kcloud_vpc_cmd {
	KCLOUD_VPC_CMD_UNSPEC,
	KCLOUD_VPC_CMD_GET_INFO,
	KCLOUD_VPC_CMD_ADD_VPC,
	KCLOUD_VPC_CMD_DEL_VPC,
	KCLOUD_VPC_CMD_SET_VPC,
	KCLOUD_VPC_CMD_GET_VPC,
	KCLOUD_VPC_CMD_ADD_SUBNET,
	KCLOUD_VPC_CMD_DEL_SUBNET,
	KCLOUD_VPC_CMD_SET_SUBNET,
	KCLOUD_VPC_CMD_GET_SUBNET,
	KCLOUD_VPC_CMD_ADD_PORT,
	KCLOUD_VPC_CMD_DEL_PORT,
	KCLOUD_VPC_CMD_SET_PORT,
	KCLOUD_VPC_CMD_GET_PORT,
	KCLOUD_VPC_CMD_ADD_MAPPING,
	KCLOUD_VPC_CMD_DEL_MAPPING,
	KCLOUD_VPC_CMD_SET_MAPPING,
	KCLOUD_VPC_CMD_GET_MAPPING,
	KCLOUD_VPC_CMD_ADD_HOST,
	KCLOUD_VPC_CMD_DEL_HOST,
	KCLOUD_VPC_CMD_SET_HOST,
	KCLOUD_VPC_CMD_GET_HOST,

	__KCLOUD_VPC_CMD_MAX,
	KCLOUD_VPC_CMD_MAX = __KCLOUD_VPC_CMD_MAX - 1
};

enum kcloud_vpc_attr {
	KCLOUD_VPC_A_UNSPEC,
	KCLOUD_VPC_A_INFO_VERSION,	/* string */
	KCLOUD_VPC_A_INFO_FEATURES,	/* u64 */
	KCLOUD_VPC_A_PAD,
	KCLOUD_VPC_A_VPC_ID,		/* u32 */
	KCLOUD_VPC_A_NAME,		/* string, < KCLOUD_VPC_NAME_LEN */
	KCLOUD_VPC_A_VNI,		/* u32, 1 .. 2^24 - 1 */
	KCLOUD_VPC_A_ADDR,		/* u32, IPv4, network order */
	KCLOUD_VPC_A_PREFIXLEN,		/* u8 */
	KCLOUD_VPC_A_SUBNET_ID,		/* u32 */
	KCLOUD_VPC_A_GATEWAY,		/* u32, IPv4, network order; reply only */
	KCLOUD_VPC_A_IFINDEX,		/* u32 */
	KCLOUD_VPC_A_IFNAME,		/* string, < IFNAMSIZ */
	KCLOUD_VPC_A_MAC,		/* binary, 6 bytes, unicast */
	KCLOUD_VPC_A_SRC_DST_CHECK,	/* u8, 0 or 1 */
	KCLOUD_VPC_A_UNDERLAY,		/* u32, IPv4, network order */
	KCLOUD_VPC_A_UDP_PORT,		/* u16, host order, not 0 */
	KCLOUD_VPC_A_MTU,		/* u32, underlay MTU, 576 .. 9216 */
	KCLOUD_VPC_A_GUEST_MTU,		/* u32, reply only */
	KCLOUD_VPC_A_STATS,		/* nested, KCLOUD_VPC_STATS_A_* */

	__KCLOUD_VPC_A_MAX,
	KCLOUD_VPC_A_MAX = __KCLOUD_VPC_A_MAX - 1
};

enum kcloud_vpc_stats_attr {
	KCLOUD_VPC_STATS_A_UNSPEC,
	KCLOUD_VPC_STATS_A_PAD,
	KCLOUD_VPC_STATS_A_RX_PACKETS,
	KCLOUD_VPC_STATS_A_RX_BYTES,
	KCLOUD_VPC_STATS_A_TX_PACKETS,
	KCLOUD_VPC_STATS_A_TX_BYTES,
	KCLOUD_VPC_STATS_A_TUNNEL_RX_PACKETS,
	KCLOUD_VPC_STATS_A_TUNNEL_TX_PACKETS,
	KCLOUD_VPC_STATS_A_DROPS,	/* nested: type = enum kcloud_vpc_drop */

	__KCLOUD_VPC_STATS_A_MAX,
	KCLOUD_VPC_STATS_A_MAX = __KCLOUD_VPC_STATS_A_MAX - 1
};

/* Why a frame or packet was dropped. */
enum kcloud_vpc_drop {
	KCLOUD_VPC_DROP_UNSPEC,
	KCLOUD_VPC_DROP_SPOOF_MAC,	/* source MAC is not the port's */
	KCLOUD_VPC_DROP_SPOOF_IP,	/* source IPv4 address is not the port's */
	KCLOUD_VPC_DROP_BROADCAST,	/* broadcast or multicast */
	KCLOUD_VPC_DROP_ETHERTYPE,	/* neither IPv4 nor ARP (IPv6, VLAN...) */
	KCLOUD_VPC_DROP_MALFORMED,	/* bad IPv4 header or length */
	KCLOUD_VPC_DROP_IP_OPTIONS,	/* IPv4 options */
	KCLOUD_VPC_DROP_FRAGMENT,	/* IPv4 fragment */
	KCLOUD_VPC_DROP_NO_ROUTE,	/* destination not in the VPC */
	KCLOUD_VPC_DROP_BAD_DMAC,	/* destination MAC neither target nor gateway */
	KCLOUD_VPC_DROP_TTL,		/* TTL expired when routed */
	KCLOUD_VPC_DROP_TOO_BIG,	/* larger than the guest MTU */
	KCLOUD_VPC_DROP_ARP_UNKNOWN,	/* ARP for an unknown address */
	KCLOUD_VPC_DROP_ARP_INVALID,	/* malformed ARP, or not a request */
	KCLOUD_VPC_DROP_DHCP_INVALID,	/* malformed or unsupported DHCP */
	KCLOUD_VPC_DROP_NO_UNDERLAY,	/* remote target but no host set up */
	KCLOUD_VPC_DROP_UNDERLAY_ERROR,	/* no route to the remote host */
	KCLOUD_VPC_DROP_GENEVE_INVALID,	/* truncated or unsupported Geneve */
	KCLOUD_VPC_DROP_VNI_UNKNOWN,	/* Geneve VNI of no VPC */
	KCLOUD_VPC_DROP_REMOTE_SPOOF,	/* inner source not mapped to the sender */
	KCLOUD_VPC_DROP_NOMEM,		/* out of memory */

	__KCLOUD_VPC_DROP_MAX,
	KCLOUD_VPC_DROP_MAX = __KCLOUD_VPC_DROP_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_VPC_H */
